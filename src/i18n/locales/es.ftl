widget-title = Verificación de identidad
language-label = Idioma
session-label = Sesión
error-title = No se puede iniciar la verificación
error-invalid-id = No se encontró una sesión válida. Vuelve al sitio web y empieza de nuevo.
