# Texte des Werkzeugs cie-pin: Deutsch.

cli-about = Verwaltet PIN und PUK der elektronischen Identitätskarte (CIE): verbleibende Versuche, Prüfen, Ändern und Entsperren der PIN.
cli-usage = cie-pin [OPTIONEN] <BEFEHL>
cli-heading-usage = Aufruf
cli-heading-commands = Befehle
cli-heading-options = Optionen
cli-opt-lang = Sprache der Meldungen (it, en, de oder eine andere, für die es Texte gibt); sonst die von LC_ALL, LC_MESSAGES oder LANG
cli-opt-virtual = Die eingebaute virtuelle Karte aus DATEI verwenden (eine neue, wenn DATEI nicht existiert) statt eines Lesegeräts
cli-opt-reader = Die Karte im PC/SC-Lesegerät mit diesem Namen (oder einem Teil davon) verwenden; ohne diese Option das erste Lesegerät mit einer Karte
cli-opt-confirm-last-try = Erlaubt, den letzten verbleibenden Versuch zu verwenden (ohne diese Option wird der letzte Versuch nie verwendet)
cli-opt-help = Diese Hilfe anzeigen
cli-cmd-readers = Die Smartcard-Lesegeräte und die eingesteckten Karten auflisten
cli-cmd-status = Die Seriennummer der Karte und die verbleibenden Versuche für PIN und PUK anzeigen
cli-cmd-verify = Die PIN prüfen
cli-cmd-change = Die PIN ändern (bisherige PIN, dann zweimal die neue PIN)
cli-cmd-unblock = Die PIN mit der PUK entsperren und eine neue PIN festlegen
cli-after-help =
    Codes werden nie in die Befehlszeile geschrieben: Sie werden ohne Anzeige abgefragt oder, wenn die Eingabe kein Terminal ist, zeilenweise von der Standardeingabe gelesen.

    Exit-Codes:
      0  Vorgang erfolgreich
      1  falsche PIN oder PUK
      2  ungültige Befehlszeile
      3  Code vor der Verwendung der Karte abgelehnt (Format, zu einfache PIN, Wiederholung stimmt nicht überein): Die Karte wurde nicht verwendet
      4  PIN oder PUK gesperrt, oder es bleibt nur ein Versuch und --confirm-last-try fehlt
      5  Lesegerät, Karte oder Smartcard-Dienst nicht verfügbar
      6  sonstiger Fehler
cli-usage-error = Ungültige Befehlszeile: { $detail }
cli-usage-hint = Hilfe: cie-pin --help
cli-usage-unknown-argument = unbekanntes Argument „{ $arg }“
cli-usage-missing = { $arg } fehlt
cli-usage-invalid-value = ungültiger Wert „{ $value }“ für { $arg }
cli-usage-no-command = der Befehl fehlt (readers, status, verify, change, unblock)
cli-usage-other = { $detail }
cli-usage-not-utf8 = ein Argument ist kein gültiger Text (UTF-8)
cli-usage-conflict = --virtual und --reader können nicht zusammen verwendet werden
cli-no-pcsc = Dieses cie-pin wurde ohne PC/SC (Feature pcsc) erstellt: Bitte --virtual DATEI verwenden.
cli-prompt-pin = PIN
cli-prompt-current-pin = Bisherige PIN
cli-prompt-new-pin = Neue PIN
cli-prompt-new-pin-again = Neue PIN wiederholen
cli-prompt-puk = PUK
cli-input-missing = In der Standardeingabe fehlt ein Code ({ $what }).
cli-input-error = Der Code konnte nicht gelesen werden ({ $what }).
cli-working = Die Karte arbeitet …
cli-no-readers = Kein Smartcard-Lesegerät.
cli-reader-no-card = keine Karte
cli-reader-card = Karte eingesteckt
cli-no-reader-matches = Kein Lesegerät entspricht „{ $name }“. Lesegeräte auflisten mit: cie-pin readers
cli-serial = Seriennummer: { $serial }
cli-status-line = { $code }: { $status }
cli-verified = PIN richtig.
cli-changed = PIN geändert.
cli-unblocked = PIN entsperrt und durch die neue ersetzt.
cli-state-file = Die Datei der virtuellen Karte „{ $path }“ kann nicht verwendet werden: { $detail }
cli-state-save = Die virtuelle Karte konnte nicht in „{ $path }“ gespeichert werden: { $detail }
cli-texts-dir = Die Texte in „{ $path }“ können nicht verwendet werden: { $detail }
