// The platform snippet with the language from the query, its code in this external
// file so that the page can send a strict CSP.
const params = new URLSearchParams(location.search);
window.handle = FlowWidget.startSession({
  id: params.get('id'),
  selector: '#flow-widget',
  locale: params.get('locale') || 'en',
  localeList: (params.get('list') || 'en,ru,fa').split(','),
});
