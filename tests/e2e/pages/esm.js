import { startSession } from '/dist/flow-widget.js';

const params = new URLSearchParams(location.search);
window.startSession = startSession;
window.handle = startSession({
  id: params.get('id'),
  selector: '#flow-widget',
  locale: params.get('locale') || undefined,
  localeList: (params.get('list') || 'en,ru,kz').split(','),
  apiBase: params.get('api'),
});
