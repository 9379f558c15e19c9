// Called at once, before the WebAssembly has loaded: the loader queues it.
window.handle = FlowWidget.startSession({
  id: new URLSearchParams(location.search).get('id'),
  element: document.getElementById('flow-widget'),
  locale: 'ru',
});
