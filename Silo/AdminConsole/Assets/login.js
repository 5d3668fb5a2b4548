// The login page: says when a key was refused, and returns to the page that asked for the login.
const query = new URLSearchParams(location.search);
document.getElementById('failed').hidden = !query.has('failed');
document.getElementById('return-url').value = query.get('returnUrl') ?? '/console/';
