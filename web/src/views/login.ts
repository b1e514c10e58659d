/** Sign-in: the admin token is exchanged for an HttpOnly session cookie; the token itself is never stored. */
import { ApiError, describeError, login } from '../api.js';
import { h } from '../dom.js';

export function loginView(onDone: () => void, notice?: string): HTMLElement {
  const token = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'token-help login-error',
    'data-testid': 'token',
  });
  const error = h('p', { id: 'login-error', class: 'field-error', role: 'alert', hidden: !notice, 'data-testid': 'login-error' }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login-card card', 'aria-labelledby': 'login-h' },
    h('div', { class: 'brand brand-lg' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, ''), h('span', null, 'WhatsApp MCP')),
    h('h1', { id: 'login-h' }, 'Admin sign-in'),
    h('label', { for: 'token' }, 'Admin token'),
    token,
    h(
      'p',
      { id: 'token-help', class: 'field-help' },
      h('span', null, 'The ADMIN_TOKEN of this server. If you did not set one, it was generated on first start: '),
      h('code', null, 'cat data/admin-token'),
      h('span', null, ' (the file admin-token in DATA_DIR).'),
    ),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = token.value.trim();
    if (!value) {
      error.hidden = false;
      error.textContent = 'Enter the admin token.';
      token.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.hidden = true;
    login(value)
      .then(() => {
        token.value = '';
        onDone();
      })
      .catch((err: unknown) => {
        error.hidden = false;
        error.textContent =
          err instanceof ApiError && err.status === 401 ? 'That token is not correct. Check the ADMIN_TOKEN and try again.' : describeError(err);
        token.setAttribute('aria-invalid', 'true');
        token.select();
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Sign in';
      });
  });
  queueMicrotask(() => token.focus());
  return h('main', { class: 'login-page' }, form);
}
