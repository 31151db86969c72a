// Learning Review front-end entry point: turns on GOV.UK Frontend's components.
// A module script runs only in browsers GOV.UK Frontend supports, so the class is set here
// rather than by the inline script GOV.UK's own template uses (our CSP forbids inline scripts).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
