// A declarative page: the widget as a <flow-widget> element, its session from the query.
const params = new URLSearchParams(location.search);
const el = document.createElement('flow-widget');
el.setAttribute('session-id', params.get('id'));
el.setAttribute('locale', 'ru');
el.setAttribute('locale-list', 'ru, en');
el.setAttribute('api-base', params.get('api'));
document.getElementById('slot').append(el);
