// Package announce turns what the ACD tells a waiting caller (their
// position, their estimated wait, periodic messages) into lists of recorded
// prompt names, and holds the prompts: the ones shipped with the ACD in
// English and French, embedded in the binary, and the SME's own WAV files,
// which replace a shipped prompt of the same name or add new ones.
//
// It is pure: no audio decoding (sip/media does that), no clock, no I/O
// after Load. Numbers are spoken from recorded digit and unit prompts with
// each language's grammar (number.go).
package announce

// Languages with shipped prompts and a number grammar.
const (
	English = "en"
	French  = "fr"
)

// Languages lists the languages prompts ship in, for config validation and
// the override directory's layout.
func Languages() []string { return []string{English, French} }

// Supported reports whether lang has shipped prompts and a number grammar.
func Supported(lang string) bool { return lang == English || lang == French }

// Prompt names shipped in both languages. Other features (callback,
// voicemail, closed hours) say them by these names; an SME replaces one by
// putting <dir>/<lang>/<name>.wav in the prompts override directory.
const (
	// PositionBefore and PositionAfter frame the caller's position:
	// "You are caller number" … "in the queue".
	PositionBefore = "position-before"
	PositionAfter  = "position-after"
	// NextInLine replaces the position phrase at position 1.
	NextInLine = "next-in-line"
	// WaitBefore starts the wait phrase: "Your estimated waiting time is".
	WaitBefore = "wait-before"
	// WaitOneMinute is the whole sentence for an estimate of one minute:
	// French elides "de une" to "d'une" ("est d'une minute"), which
	// WaitBefore followed by a number cannot say.
	WaitOneMinute = "wait-one-minute"
	// Minutes follows the number of minutes (2 and more); Minute is the
	// singular, shipped for an SME's own messages (Wait says one minute
	// with WaitOneMinute).
	Minute  = "minute"
	Minutes = "minutes"
	// LessThanAMinute is said for an estimate under one minute.
	LessThanAMinute = "less-than-a-minute"
	// MoreThan precedes the cap ("more than 30 minutes").
	MoreThan = "more-than"
	// ThankYouForWaiting is the default periodic message.
	ThankYouForWaiting = "thank-you-for-waiting"
	// Callback prompts (virtual hold).
	CallbackOffer       = "callback-offer"
	CallbackEnterNumber = "callback-enter-number"
	CallbackConfirm     = "callback-confirm"
	CallbackIntro       = "callback-intro"
	// VoicemailGreeting precedes Beep when a caller leaves a message.
	VoicemailGreeting = "voicemail-greeting"
	// Beep is a 1 kHz tone of 400 ms.
	Beep = "beep"
	// Closed is the closed-hours message; Goodbye ends a call politely.
	Closed  = "closed"
	Goodbye = "goodbye"
	// AllBusy tells a caller every advisor is busy and to call again
	// later, then goodbye: the default message an overflow rule hangs up
	// with.
	AllBusy = "all-busy"
)

// Number prompts: "0" … "19" and the tens "20" … "90" (English) or "20" …
// "60" and "80" (French), named by their digits, plus these words.
const (
	// OneF is French "une", said before a feminine noun (une minute).
	OneF = "1f"
	// Hundred and Thousand are English.
	Hundred  = "hundred"
	Thousand = "thousand"
	// Et ("and", in vingt et un), QuatreVingt (the quatre-vingt of 81-99),
	// Cent, Cents (deux cents) and Mille are French.
	Et          = "et"
	QuatreVingt = "quatre-vingt"
	Cent        = "cent"
	Cents       = "cents"
	Mille       = "mille"
)
