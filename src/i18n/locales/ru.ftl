widget-title = Подтверждение личности
language-label = Язык
session-label = Сессия
error-title = Не удаётся начать проверку
error-invalid-id = Действительная сессия не найдена. Вернитесь на сайт и начните заново.
