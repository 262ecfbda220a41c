#!/usr/bin/env bash
# Regenerates the prompts shipped with the ACD (acd/announce/prompts/{en,fr})
# with espeak-ng and sox: 8 kHz mono 16-bit PCM WAV, leading and trailing
# silence trimmed, normalised to -3 dBFS, no dither (so a rerun makes the
# same bytes). The WAVs are committed, so neither tool is needed to build or
# test; run this only to change a prompt's wording (keep the names in
# acd/announce/names.go and the README's table in step).
#
# Usage: scripts/make-prompts.sh [NAME...]   (needs espeak-ng and sox on PATH)
# With NAMEs, only those prompts are made (in both languages) and no other
# file is touched: the way to add one prompt without rewriting the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
out=acd/announce/prompts
command -v espeak-ng >/dev/null || { echo "make-prompts: espeak-ng is not installed" >&2; exit 1; }
command -v sox >/dev/null || { echo "make-prompts: sox is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
only=" $* "
[ $# -gt 0 ] || rm -f "$out"/en/*.wav "$out"/fr/*.wav # a prompt dropped below goes too

# wanted NAME: whether NAME is to be made (all of them without arguments).
wanted() { [ "$only" = "  " ] || [[ $only == *" $1 "* ]]; }

# say LANG NAME TEXT: speak TEXT in LANG into $out/LANG/NAME.wav.
say() {
  local lang=$1 name=$2 text=$3
  wanted "$name" || return 0
  mkdir -p "$out/$lang"
  espeak-ng -v "$lang" -s 165 -w "$tmp/raw.wav" -- "$text"
  # silence 1 0.02 0.5%: cut leading silence; reverse/cut/reverse: trailing.
  sox -q -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$lang/$name.wav" \
    gain -n -3 silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
}

# Numbers, English: 0-19, the tens, hundred, thousand.
en_units=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen)
for i in "${!en_units[@]}"; do say en "$i" "${en_units[$i]}"; done
en_tens=([20]=twenty [30]=thirty [40]=forty [50]=fifty [60]=sixty [70]=seventy [80]=eighty [90]=ninety)
for t in "${!en_tens[@]}"; do say en "$t" "${en_tens[$t]}"; done
say en hundred "hundred"
say en thousand "thousand"

# Numbers, French: 0-19, the tens up to 60, 80 (quatre-vingts) and the
# quatre-vingt of 81-99, "une" for feminine nouns (une minute), et, cent(s),
# mille. 70-79 and 90-99 are spoken as 60 or quatre-vingt plus 10-19.
fr_units=(zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize dix-sept dix-huit dix-neuf)
for i in "${!fr_units[@]}"; do say fr "$i" "${fr_units[$i]}"; done
fr_tens=([20]=vingt [30]=trente [40]=quarante [50]=cinquante [60]=soixante [80]=quatre-vingts)
for t in "${!fr_tens[@]}"; do say fr "$t" "${fr_tens[$t]}"; done
say fr quatre-vingt "quatre-vingt"
say fr 1f "une"
say fr et "et"
say fr cent "cent"
say fr cents "cents"
say fr mille "mille"

# Phrases: name, English, French.
phrases=(
  "position-before|You are caller number|Vous êtes en position"
  "position-after|in the queue.|dans la file d'attente."
  "next-in-line|You are next in line.|Votre appel sera le prochain à être traité."
  "wait-before|Your estimated waiting time is|Votre temps d'attente estimé est de"
  "wait-one-minute|Your estimated waiting time is one minute.|Votre temps d'attente estimé est d'une minute."
  "minute|minute.|minute."
  "minutes|minutes.|minutes."
  "less-than-a-minute|less than a minute.|moins d'une minute."
  "more-than|more than|plus de"
  "thank-you-for-waiting|Thank you for waiting. An advisor will be with you shortly.|Merci de patienter. Un conseiller va vous répondre."
  "callback-offer|To be called back without losing your place, press 1.|Pour être rappelé sans perdre votre place, appuyez sur 1."
  "callback-enter-number|Please enter the number we should call, then press the hash key. To use the number you are calling from, just press hash.|Veuillez composer le numéro auquel nous devons vous rappeler, puis appuyez sur dièse. Pour être rappelé au numéro d'où vous appelez, appuyez simplement sur dièse."
  "callback-confirm|Thank you. We will call you back as soon as an advisor is free. Goodbye.|Merci. Nous vous rappellerons dès qu'un conseiller sera disponible. Au revoir."
  "callback-intro|Hello, this is the call back you asked for. Connecting you to an advisor now.|Bonjour, voici le rappel que vous avez demandé. Nous vous mettons en relation avec un conseiller."
  "voicemail-greeting|Please leave your message after the tone. Press hash or hang up when you have finished.|Veuillez laisser votre message après le bip. Appuyez sur dièse ou raccrochez quand vous avez terminé."
  "closed|We are closed at the moment. Please call again during our opening hours. Goodbye.|Nous sommes actuellement fermés. Merci de rappeler pendant nos heures d'ouverture. Au revoir."
  "goodbye|Goodbye.|Au revoir."
  "all-busy|All our advisors are busy. Please call again later. Goodbye.|Tous nos conseillers sont occupés. Merci de rappeler plus tard. Au revoir."
)
for p in "${phrases[@]}"; do
  IFS='|' read -r name en fr <<<"$p"
  say en "$name" "$en"
  say fr "$name" "$fr"
done

# The voicemail beep: 1 kHz for 400 ms, the same in both languages.
for lang in en fr; do
  wanted beep || continue
  sox -q -D -n -r 8000 -c 1 -b 16 -e signed-integer "$out/$lang/beep.wav" synth 0.4 sine 1000 gain -6
done

du -sh "$out"/en "$out"/fr
