// The demo shop's page script (external: the page's CSP allows no inline script).
// It talks only to its own backend (/kyc/start, /kyc/return) and to the widget.
const start = document.getElementById('start');
const error = document.getElementById('error');
const result = document.getElementById('result');
const decision = document.getElementById('decision');
const details = document.getElementById('details');

function showError(text) {
  error.textContent = text;
  error.hidden = false;
}

start.addEventListener('click', async () => {
  start.disabled = true;
  error.hidden = true;
  result.hidden = true;
  try {
    const response = await fetch('/kyc/start', { method: 'POST' });
    if (!response.ok) throw new Error(`the shop's backend answered ${response.status}`);
    const { session_id: id } = await response.json();
    if (!window.FlowWidget) throw new Error('the widget is not built (run npm run build)');
    window.FlowWidget.startSession({ id, selector: '#flow-widget' });
  } catch (e) {
    showError(`Could not start: ${e.message}`);
    start.disabled = false;
  }
});

// `finish` is a signal, not proof: the backend fetches result/light and decides.
window.addEventListener('finish', async () => {
  try {
    const response = await fetch('/kyc/return', { method: 'POST' });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.detail : response.status);
    decision.textContent = `Decision: ${body.decision} (status ${body.status})`;
    decision.dataset.decision = body.decision;
    details.textContent = body.failure_reasons.length
      ? body.failure_reasons.join('\n')
      : 'No failure reasons.';
    result.hidden = false;
  } catch (e) {
    showError(`Could not read the result: ${e.message}`);
  } finally {
    start.disabled = false;
  }
});
