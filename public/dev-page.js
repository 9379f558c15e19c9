// The developer page's own code: mount the widget, list its events.
const params = new URLSearchParams(location.search);
const handle = FlowWidget.startSession({
  id: params.get('session') || crypto.randomUUID(),
  selector: '#flow-widget',
  locale: params.get('locale') || undefined,
  theme: params.get('theme') || 'auto',
  // The session server `npm start` runs; its demo flow allows any localhost origin.
  apiBase: params.get('api') || 'http://127.0.0.1:8080',
});
window.devHandle = handle;
for (const name of ['finish', 'flow:ready', 'flow:step', 'flow:localechange', 'flow:error']) {
  window.addEventListener(name, (event) => {
    const item = document.createElement('li');
    item.textContent = `${name} ${JSON.stringify(event.detail)}`;
    document.getElementById('events').append(item);
  });
}
