widget-title = Identitätsprüfung
language-label = Sprache
session-label = Sitzung
error-title = Die Prüfung kann nicht gestartet werden
error-invalid-id = Es wurde keine gültige Sitzung gefunden. Bitte kehren Sie zur Website zurück und beginnen Sie erneut.
