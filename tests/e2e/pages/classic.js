// Called at once, before the WebAssembly has loaded: the loader queues it.
const params = new URLSearchParams(location.search);
window.handle = FlowWidget.startSession({
  id: params.get('id'),
  element: document.getElementById('flow-widget'),
  locale: 'ru',
  apiBase: params.get('api'),
});
