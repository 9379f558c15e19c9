widget-title = ကိုယ်ရေးအထောက်အထား စိစစ်ခြင်း
language-label = ဘာသာစကား
session-label = ဆက်ရှင်
error-title = စိစစ်ခြင်းကို စတင်၍ မရပါ
error-invalid-id = မှန်ကန်သော ဆက်ရှင် မတွေ့ပါ။ ဝဘ်ဆိုက်သို့ ပြန်သွားပြီး ထပ်မံစတင်ပါ။
