# Testi dello strumento cie-pin: italiano.

cli-about = Gestisce il PIN e il PUK della carta d'identità elettronica (CIE): tentativi rimasti, verifica, cambio e sblocco del PIN.
cli-usage = cie-pin [OPZIONI] <COMANDO>
cli-heading-usage = Uso
cli-heading-commands = Comandi
cli-heading-options = Opzioni
cli-opt-lang = Lingua dei messaggi (it, en, de o un'altra per cui esistono testi); altrimenti quella di LC_ALL, LC_MESSAGES o LANG
cli-opt-virtual = Usa la carta virtuale interna salvata in FILE (creata nuova se FILE non esiste), invece di un lettore
cli-opt-reader = Usa la carta nel lettore PC/SC con questo nome (o parte del nome); senza questa opzione, il primo lettore con una carta
cli-opt-confirm-last-try = Consente di usare l'ultimo tentativo rimasto (senza questa opzione l'ultimo tentativo non viene mai usato)
cli-opt-help = Mostra questo aiuto
cli-cmd-readers = Elenca i lettori di smart card e le carte inserite
cli-cmd-status = Mostra il numero di serie della carta e i tentativi rimasti per PIN e PUK
cli-cmd-verify = Verifica il PIN
cli-cmd-change = Cambia il PIN (PIN attuale, poi il nuovo PIN due volte)
cli-cmd-unblock = Sblocca il PIN con il PUK e sceglie un nuovo PIN
cli-after-help =
    I codici non si scrivono mai sulla riga di comando: vengono chiesti senza mostrarli a schermo oppure, se l'input non è un terminale, letti dall'input standard, uno per riga.

    Codici di uscita:
      0  operazione riuscita
      1  PIN o PUK errato
      2  riga di comando non valida
      3  codice rifiutato prima di usare la carta (formato, PIN troppo semplice, ripetizione diversa): la carta non è stata usata
      4  PIN o PUK bloccato, oppure resta un solo tentativo e manca --confirm-last-try
      5  lettore, carta o servizio per le smart card non disponibile
      6  altro errore
cli-usage-error = Riga di comando non valida: { $detail }
cli-usage-hint = Per l'aiuto: cie-pin --help
cli-usage-unknown-argument = argomento sconosciuto «{ $arg }»
cli-usage-missing = manca { $arg }
cli-usage-invalid-value = valore non valido «{ $value }» per { $arg }
cli-usage-no-command = manca il comando (readers, status, verify, change, unblock)
cli-usage-other = { $detail }
cli-usage-not-utf8 = un argomento non è testo valido (UTF-8)
cli-usage-conflict = --virtual e --reader non possono essere usati insieme
cli-no-pcsc = Questo cie-pin è stato compilato senza PC/SC (feature pcsc): usare --virtual FILE.
cli-prompt-pin = PIN
cli-prompt-current-pin = PIN attuale
cli-prompt-new-pin = Nuovo PIN
cli-prompt-new-pin-again = Ripetere il nuovo PIN
cli-prompt-puk = PUK
cli-input-missing = Manca un codice nell'input standard ({ $what }).
cli-input-error = Non è stato possibile leggere il codice ({ $what }).
cli-working = La carta sta lavorando…
cli-no-readers = Nessun lettore di smart card.
cli-reader-no-card = nessuna carta
cli-reader-card = carta inserita
cli-no-reader-matches = Nessun lettore corrisponde a «{ $name }». Elencare i lettori con: cie-pin readers
cli-serial = Numero di serie: { $serial }
cli-status-line = { $code }: { $status }
cli-verified = PIN corretto.
cli-changed = PIN cambiato.
cli-unblocked = PIN sbloccato e sostituito con quello nuovo.
cli-state-file = Il file della carta virtuale «{ $path }» non è utilizzabile: { $detail }
cli-state-save = Non è stato possibile salvare la carta virtuale in «{ $path }»: { $detail }
cli-texts-dir = I testi in «{ $path }» non sono utilizzabili: { $detail }
