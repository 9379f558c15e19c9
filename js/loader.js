// The hand-written part of the widget: defines `window.FlowWidget` at once, queues
// `startSession` until the WebAssembly is ready, and resolves where to mount. Everything
// else is Rust (src/js_api.rs). scripts/build.mjs wraps this file twice: as the ES module
// `flow-widget.js` and as the classic script `flow-widget.umd.js`.

function install(scriptBase) {
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    // Server-side rendering: importing must not throw, mounting cannot happen.
    return {
      startSession() {
        throw new TypeError('FlowWidget.startSession: no document to render into');
      },
    };
  }
  if (window.FlowWidget && window.FlowWidget.__flowWidget) {
    return window.FlowWidget;
  }

  const CORE_JS = 'flow-widget-core.js';
  const CORE_WASM = 'flow-widget-core_bg.wasm';
  const mounted = new WeakMap();
  let core = null;

  function withSlash(url) {
    return url.endsWith('/') ? url : url + '/';
  }

  function baseFor(options) {
    if (typeof options.assetsBase === 'string' && options.assetsBase !== '') {
      return withSlash(new URL(options.assetsBase, document.baseURI).href);
    }
    return scriptBase || withSlash(new URL('.', document.baseURI).href);
  }

  function loadCore(base) {
    if (!core) {
      core = import(base + CORE_JS).then(async (module) => {
        await module.default({ module_or_path: base + CORE_WASM });
        return module;
      });
    }
    return core;
  }

  function resolveHost(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('FlowWidget.startSession: an options object is required');
    }
    let host = options.element;
    if (host === undefined || host === null) {
      if (typeof options.selector !== 'string' || options.selector === '') {
        throw new TypeError('FlowWidget.startSession: give `selector` or `element`');
      }
      try {
        host = document.querySelector(options.selector);
      } catch (err) {
        throw new TypeError(`FlowWidget.startSession: invalid selector ${JSON.stringify(options.selector)}`);
      }
      if (!host) {
        throw new TypeError(`FlowWidget.startSession: nothing matches ${JSON.stringify(options.selector)}`);
      }
    }
    if (!(host instanceof HTMLElement)) {
      throw new TypeError('FlowWidget.startSession: `element` must be an HTMLElement');
    }
    return host;
  }

  function shadowOf(host) {
    if (host.shadowRoot) {
      return host.shadowRoot;
    }
    try {
      return host.attachShadow({ mode: 'open' });
    } catch (err) {
      throw new TypeError(`FlowWidget.startSession: <${host.localName}> cannot host the widget (${err.message})`);
    }
  }

  function fail(host, shadow, sessionId, err) {
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.textContent = 'The verification widget could not load. Check your connection and reload the page.';
    shadow.replaceChildren(message);
    host.dispatchEvent(new CustomEvent('flow:error', {
      bubbles: true,
      composed: true,
      detail: { session_id: sessionId, type: 'network', detail: String(err && err.message || err) },
    }));
  }

  class Handle {
    #host;
    #shadow;
    #inner = null;
    #destroyed = false;
    #pendingLocale = null;
    #sessionId;

    constructor(host, shadow, options) {
      this.#host = host;
      this.#shadow = shadow;
      this.#sessionId = typeof options.id === 'string' ? options.id : '';
    }

    get sessionId() {
      return this.#sessionId;
    }

    attach(inner) {
      if (this.#destroyed) {
        inner.destroy();
        inner.free();
        return;
      }
      this.#inner = inner;
      if (this.#pendingLocale !== null) {
        inner.setLocale(this.#pendingLocale);
        this.#pendingLocale = null;
      }
    }

    destroy() {
      if (this.#destroyed) {
        return;
      }
      this.#destroyed = true;
      if (this.#inner) {
        this.#inner.destroy();
        this.#inner.free();
        this.#inner = null;
      } else {
        this.#shadow.replaceChildren();
      }
      if (mounted.get(this.#host) === this) {
        mounted.delete(this.#host);
      }
    }

    setLocale(code) {
      if (this.#destroyed) {
        return;
      }
      if (this.#inner) {
        this.#inner.setLocale(String(code));
      } else {
        this.#pendingLocale = String(code);
      }
    }
  }

  function startSession(options) {
    const host = resolveHost(options);
    const shadow = shadowOf(host);
    const previous = mounted.get(host);
    if (previous) {
      previous.destroy();
    }
    const base = baseFor(options);
    const handle = new Handle(host, shadow, options);
    mounted.set(host, handle);
    // The session server defaults to the assets' origin (the platform serves both).
    const apiBase = typeof options.apiBase === 'string' && options.apiBase !== ''
      ? new URL(options.apiBase, document.baseURI).href.replace(/\/+$/, '')
      : new URL(base).origin;
    const resolved = Object.assign({}, options, { assetsBase: base, apiBase });
    loadCore(base).then(
      (module) => {
        if (mounted.get(host) === handle) {
          handle.attach(module.mount(host, shadow, resolved));
        }
      },
      (err) => {
        if (mounted.get(host) === handle) {
          fail(host, shadow, handle.sessionId, err);
        }
      },
    );
    return handle;
  }

  // `<flow-widget session-id="…" locale="en" locale-list="en,ru,kz" api-base="…"
  // assets-base="…" theme="auto">`: mounted when connected, destroyed when removed;
  // a changed `locale` switches the language live, a changed `session-id` remounts.
  class FlowWidgetElement extends HTMLElement {
    #handle = null;

    static get observedAttributes() {
      return ['session-id', 'locale'];
    }

    connectedCallback() {
      this.#mount();
    }

    disconnectedCallback() {
      if (this.#handle) {
        this.#handle.destroy();
        this.#handle = null;
      }
    }

    attributeChangedCallback(name, before, after) {
      if (!this.#handle || before === after) {
        return;
      }
      if (name === 'locale') {
        this.#handle.setLocale(after || '');
      } else {
        this.#mount();
      }
    }

    #mount() {
      const attr = (name) => this.getAttribute(name) ?? undefined;
      const list = attr('locale-list');
      this.#handle = startSession({
        id: attr('session-id'),
        element: this,
        locale: attr('locale'),
        localeList: list === undefined ? undefined : list.split(',').map((c) => c.trim()).filter(Boolean),
        apiBase: attr('api-base'),
        assetsBase: attr('assets-base'),
        theme: attr('theme'),
      });
    }
  }

  if (window.customElements && !window.customElements.get('flow-widget')) {
    window.customElements.define('flow-widget', FlowWidgetElement);
  }

  const api = Object.freeze({ startSession, __flowWidget: true });
  window.FlowWidget = api;
  return api;
}
