widget-title = Verifica dell’identità
language-label = Lingua
session-label = Sessione
error-title = Impossibile avviare la verifica
error-invalid-id = Non è stata trovata una sessione valida. Torna al sito e ricomincia.
