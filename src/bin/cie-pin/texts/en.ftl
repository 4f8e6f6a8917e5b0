# Texts of the cie-pin tool: English.

cli-about = Manages the PIN and PUK of the Italian electronic identity card (CIE): tries left, verifying, changing and unblocking the PIN.
cli-usage = cie-pin [OPTIONS] <COMMAND>
cli-heading-usage = Usage
cli-heading-commands = Commands
cli-heading-options = Options
cli-opt-lang = Language of the messages (it, en, de or another one with texts); otherwise the one of LC_ALL, LC_MESSAGES or LANG
cli-opt-virtual = Use the built-in virtual card kept in FILE (a fresh one if FILE does not exist) instead of a reader
cli-opt-reader = Use the card in the PC/SC reader with this name (or part of it); without this option, the first reader holding a card
cli-opt-confirm-last-try = Allow spending the last try left (without this option the last try is never spent)
cli-opt-help = Show this help
cli-cmd-readers = List the smart card readers and the cards in them
cli-cmd-status = Show the card's serial number and the tries left for the PIN and the PUK
cli-cmd-verify = Verify the PIN
cli-cmd-change = Change the PIN (current PIN, then the new PIN twice)
cli-cmd-unblock = Unblock the PIN with the PUK and choose a new PIN
cli-after-help =
    Codes are never written on the command line: they are asked for without showing them or, when the input is not a terminal, read from standard input, one per line.

    Exit codes:
      0  done
      1  wrong PIN or PUK
      2  invalid command line
      3  code refused before using the card (format, PIN too simple, repetition differs): the card was not used
      4  PIN or PUK blocked, or only one try left and --confirm-last-try not given
      5  reader, card or smart card service unavailable
      6  other error
cli-usage-error = Invalid command line: { $detail }
cli-usage-hint = For help: cie-pin --help
cli-usage-unknown-argument = unknown argument "{ $arg }"
cli-usage-missing = { $arg } is missing
cli-usage-invalid-value = invalid value "{ $value }" for { $arg }
cli-usage-no-command = the command is missing (readers, status, verify, change, unblock)
cli-usage-other = { $detail }
cli-usage-not-utf8 = an argument is not valid text (UTF-8)
cli-usage-conflict = --virtual and --reader cannot be used together
cli-no-pcsc = This cie-pin was built without PC/SC (feature pcsc): use --virtual FILE.
cli-prompt-pin = PIN
cli-prompt-current-pin = Current PIN
cli-prompt-new-pin = New PIN
cli-prompt-new-pin-again = New PIN again
cli-prompt-puk = PUK
cli-input-missing = A code is missing from standard input ({ $what }).
cli-input-error = The code could not be read ({ $what }).
cli-working = The card is working…
cli-no-readers = No smart card reader.
cli-reader-no-card = no card
cli-reader-card = card inserted
cli-no-reader-matches = No reader matches "{ $name }". List the readers with: cie-pin readers
cli-serial = Serial number: { $serial }
cli-status-line = { $code }: { $status }
cli-verified = PIN verified.
cli-changed = PIN changed.
cli-unblocked = PIN unblocked and replaced with the new one.
cli-state-file = The virtual card file "{ $path }" cannot be used: { $detail }
cli-state-save = The virtual card could not be saved to "{ $path }": { $detail }
cli-texts-dir = The texts in "{ $path }" cannot be used: { $detail }
