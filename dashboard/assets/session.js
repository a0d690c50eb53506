// When the session has expired, Dash's data requests get 401: go to the login page instead of failing silently.
(function () {
    var originalFetch = window.fetch;
    window.fetch = function () {
        return originalFetch.apply(this, arguments).then(function (response) {
            if (response.status === 401 && response.url.indexOf('/_dash-') !== -1) {
                window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
            }
            return response;
        });
    };
})();
