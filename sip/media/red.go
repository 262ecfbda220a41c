package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadRED means a payload of the RFC 2198 redundant format does not
// parse: a header runs past the payload, or the blocks it declares do.
var ErrBadRED = errors.New("media: bad redundant (RFC 2198) payload")

// redName is the encoding name of RFC 2198 redundant audio (§5).
const redName = "red"

// REDBlock is one block of an RFC 2198 payload: an older (redundant) copy
// or the primary, newest, data.
type REDBlock struct {
	// PT is the block's payload type, e.g. telephone-event.
	PT uint8
	// Offset is how far before the packet's RTP timestamp the block's
	// own timestamp lies (0 for the primary block).
	Offset uint16
	// Payload is the block's data; it aliases the packet.
	Payload []byte
}

// redHeaderLen is the size of a redundant block's header (F=1): F, block
// PT, 14-bit timestamp offset, 10-bit block length (RFC 2198 §3). The
// primary block's header (F=0) is one byte: F and block PT.
const redHeaderLen = 4

// maxREDOffset is the largest timestamp offset of a redundant block: 14
// bits (RFC 2198 §3).
const maxREDOffset = 1<<14 - 1

// maxREDBlocks bounds the blocks we read from one packet; RFC 4733 §2.5.1.5
// senders use two or three.
const maxREDBlocks = 8

// ParseRED splits an RFC 2198 §3 payload into its blocks, oldest first,
// the primary block last, into dst (reused, to keep the media path free of
// allocations).
//
//	 0                   1                    2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|F|   block PT  |  timestamp offset         |   block length    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
func ParseRED(payload []byte, dst []REDBlock) ([]REDBlock, error) {
	dst = dst[:0]
	var lens [maxREDBlocks]int
	p := payload
	dataLen := 0
	for {
		if len(p) < 1 {
			return dst, fmt.Errorf("%w: headers end without a primary block", ErrBadRED)
		}
		if p[0]&0x80 == 0 { // F=0: the last header, the primary block's
			dst = append(dst, REDBlock{PT: p[0] & 0x7f})
			p = p[1:]
			break
		}
		if len(dst) == maxREDBlocks-1 {
			return dst, fmt.Errorf("%w: more than %d blocks", ErrBadRED, maxREDBlocks)
		}
		if len(p) < redHeaderLen {
			return dst, fmt.Errorf("%w: truncated block header", ErrBadRED)
		}
		h := binary.BigEndian.Uint32(p)
		lens[len(dst)] = int(h & 0x3ff)
		dataLen += lens[len(dst)]
		dst = append(dst, REDBlock{PT: uint8(h>>24) & 0x7f, Offset: uint16(h>>10) & 0x3fff})
		p = p[redHeaderLen:]
	}
	if dataLen > len(p) {
		return dst, fmt.Errorf("%w: blocks declare %d bytes, %d present", ErrBadRED, dataLen, len(p))
	}
	last := len(dst) - 1
	for i := range dst[:last] {
		dst[i].Payload, p = p[:lens[i]:lens[i]], p[lens[i]:]
	}
	dst[last].Payload = p
	return dst, nil
}

// redundantEvents reports whether an a=fmtp value of a red format
// ("101/101/101", RFC 2198 §5, RFC 4733 §2.5.1.5 example) carries only
// telephone-event blocks of payload type te: the only redundancy we accept.
func redundantEvents(fmtp string, te uint8) bool {
	if te == 0 || fmtp == "" {
		return false
	}
	want := strconv.Itoa(int(te))
	for _, pt := range strings.Split(strings.TrimSpace(fmtp), "/") {
		if pt != want {
			return false
		}
	}
	return true
}
