widget-title = Verificação de identidade
language-label = Idioma
session-label = Sessão
error-title = Não foi possível iniciar a verificação
error-invalid-id = Nenhuma sessão válida foi encontrada. Volte ao site e comece novamente.
