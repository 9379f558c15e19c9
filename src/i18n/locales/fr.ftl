widget-title = Vérification d’identité
language-label = Langue
session-label = Session
error-title = Impossible de démarrer la vérification
error-invalid-id = Aucune session valide n’a été trouvée. Revenez sur le site et recommencez.
