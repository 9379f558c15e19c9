widget-title = احراز هویت
language-label = زبان
session-label = نشست
error-title = امکان شروع احراز هویت وجود ندارد
error-invalid-id = نشست معتبری پیدا نشد. لطفاً به وب‌سایت برگردید و دوباره شروع کنید.
