// Starts GOV.UK Frontend's components, from a file because the Content-Security-Policy forbids
// inline scripts. Loaded as <script type="module" data-govuk-frontend="URL">, where URL is the
// content-hashed name of govuk-frontend.min.js (so it too can be cached for a year).
//
// Pages work without it: every component is plain HTML first (GOV.UK's progressive enhancement).

const script = document.querySelector("script[data-govuk-frontend]");
const { initAll, isSupported } = await import(script ? script.dataset.govukFrontend : "../govuk/govuk-frontend.min.js");

// GOV.UK Frontend's CSS enhances only the pages where its JavaScript runs.
document.body.classList.add("govuk-frontend-supported");

// A component that is already running is left alone (GOV.UK Frontend refuses to start it twice);
// any other failure is reported.
function reportError(error) {
  if (error.name !== "InitError") {
    console.error(error);
  }
}

if (isSupported()) {
  initAll({ onError: reportError });

  // htmx swaps fragments in: start the components inside each new fragment. The fragment's own
  // root may be a component, so its parent is the scope; components already running are skipped.
  document.addEventListener("htmx:load", (event) => {
    const fragment = event.detail && event.detail.elt;
    if (fragment && fragment !== document.body) {
      initAll({ scope: fragment.parentElement || fragment, onError: reportError });
    }
  });
}
