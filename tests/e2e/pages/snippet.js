// The platform's integration snippet, unchanged but for the host.
const sessionId = new URLSearchParams(location.search).get('id');
FlowWidget.startSession({
  id: sessionId,
  selector: '#flow-widget',
  locale: 'en',
  localeList: ['en', 'ru', 'kz'],
});
window.addEventListener('finish', async () => {
  await fetch('/kyc/return', { method: 'POST' });
});
