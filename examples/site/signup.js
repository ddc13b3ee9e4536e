// Signup page logic: client-side validation, a late-appearing welcome panel and a
// member list kept in sessionStorage. No network calls.
(function () {
  'use strict';

  var STORAGE_KEY = 'harbor.members';
  var COUNTRY_NAMES = {
    de: 'Germany', fr: 'France', us: 'United States', gb: 'United Kingdom', ca: 'Canada', jp: 'Japan'
  };

  var form = document.getElementById('signup-form');
  var content = document.getElementById('signup-content');
  var submit = document.getElementById('create-account');
  var membersList = document.getElementById('members');
  var membersEmpty = document.getElementById('members-empty');

  function loadMembers() {
    try {
      var parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || '[]');
      return Array.isArray(parsed) ? parsed : [];
    } catch (e) {
      return [];
    }
  }

  function saveMembers(members) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(members));
  }

  function renderMembers() {
    var members = loadMembers();
    membersList.textContent = '';
    members.forEach(function (m) {
      var li = document.createElement('li');
      li.className = 'member';
      li.dataset.email = m.email;

      var avatar = document.createElement('span');
      avatar.className = 'avatar';
      avatar.setAttribute('aria-hidden', 'true');
      avatar.textContent = (m.firstName.charAt(0) || '?').toUpperCase();

      var text = document.createElement('div');
      var name = document.createElement('div');
      name.className = 'member-name';
      name.textContent = m.firstName;
      var meta = document.createElement('div');
      meta.className = 'member-meta';
      meta.textContent = (COUNTRY_NAMES[m.country] || m.country) + ' · ' + m.plan;
      text.appendChild(name);
      text.appendChild(meta);

      li.appendChild(avatar);
      li.appendChild(text);
      membersList.appendChild(li);
    });
    membersEmpty.hidden = members.length > 0;
  }

  function setError(input, errorId, message) {
    var el = document.getElementById(errorId);
    el.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return !message;
  }

  function isValidEmail(value) {
    // Must contain "@" and a dot somewhere after it, e.g. name@example.com.
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
  }

  function validate() {
    var ok = true;
    var firstName = form.elements.firstName;
    var email = form.elements.email;
    var password = form.elements.password;
    var terms = form.elements.terms;

    ok = setError(firstName, 'first-name-error',
      firstName.value.trim() ? '' : 'Please enter your first name') && ok;
    ok = setError(email, 'email-error',
      isValidEmail(email.value.trim()) ? '' : 'Please enter a valid email address') && ok;
    ok = setError(password, 'password-error',
      password.value.length >= 8 ? '' : 'Password must be at least 8 characters') && ok;
    ok = setError(terms, 'terms-error',
      terms.checked ? '' : 'Please accept the terms of service') && ok;
    return ok;
  }

  function showWelcome(member) {
    var panel = document.createElement('div');
    panel.className = 'success';
    panel.id = 'welcome-panel';
    panel.setAttribute('role', 'status');

    var heading = document.createElement('h2');
    heading.id = 'welcome';
    heading.textContent = 'Welcome, ' + member.firstName + '!';

    var note = document.createElement('p');
    note.textContent = 'Your ' + member.plan + ' account is ready. We sent a confirmation to ' + member.email + '.';

    var again = document.createElement('button');
    again.type = 'button';
    again.className = 'btn btn-secondary';
    again.id = 'create-another';
    again.textContent = 'Create another account';
    again.addEventListener('click', function () {
      panel.remove();
      form.reset();
      form.hidden = false;
      document.title = 'Sign up | Harbor';
      form.elements.firstName.focus();
    });

    panel.appendChild(heading);
    panel.appendChild(note);
    panel.appendChild(again);
    content.appendChild(panel);
    document.title = 'Welcome';
  }

  form.addEventListener('input', function (event) {
    // Clear a field's error as soon as the user edits it.
    var target = event.target;
    var errorId = target.getAttribute('aria-describedby');
    if (target.getAttribute('aria-invalid') === 'true' && errorId) {
      errorId.split(' ').forEach(function (id) {
        if (/-error$/.test(id)) document.getElementById(id).textContent = '';
      });
      target.removeAttribute('aria-invalid');
    }
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (submit.getAttribute('aria-busy') === 'true') return;
    if (!validate()) {
      var firstInvalid = form.querySelector('[aria-invalid="true"]');
      if (firstInvalid) firstInvalid.focus();
      return;
    }

    var member = {
      firstName: form.elements.firstName.value.trim(),
      email: form.elements.email.value.trim(),
      country: form.elements.country.value,
      plan: form.elements.plan.value === 'pro' ? 'Pro' : form.elements.plan.value === 'team' ? 'Team' : 'Starter',
      createdAt: new Date().toISOString()
    };

    // Pretend to talk to a server: the welcome panel appears a moment later.
    submit.setAttribute('aria-busy', 'true');
    setTimeout(function () {
      submit.removeAttribute('aria-busy');
      var members = loadMembers();
      members.unshift(member);
      saveMembers(members);
      renderMembers();
      form.hidden = true;
      showWelcome(member);
    }, 400);
  });

  renderMembers();
})();
