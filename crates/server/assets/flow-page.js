// The hosted page's own script, external so that the page's CSP allows no inline
// script. /widget/flow-widget.js (a module loaded before this one) defines FlowWidget.
const mount = document.getElementById('flow-widget');
const id = mount.dataset.sessionId;
const locale = mount.dataset.locale || undefined;
const webView = mount.dataset.webView === 'true';

window.addEventListener('finish', () => {
  // A hint for the user's browser; the host backend reads the verdict itself.
  window.location.assign(webView ? '/finished' : `/flow/${encodeURIComponent(id)}/done`);
});

if (window.FlowWidget && typeof window.FlowWidget.startSession === 'function') {
  window.FlowWidget.startSession({ id, selector: '#flow-widget', locale });
} else {
  const error = document.getElementById('flow-page-error');
  error.textContent = 'The verification widget could not be loaded. Please try again later.';
  error.hidden = false;
}
