widget-title = Жеке басты растау
language-label = Тіл
session-label = Сессия
error-title = Растауды бастау мүмкін емес
error-invalid-id = Жарамды сессия табылмады. Сайтқа оралып, қайтадан бастаңыз.
