// A background job's page: ask the API how far the job is every second, show it, and once it
// has ended load the page again (the server then sends the reader on to the result).
const box = document.getElementById("lr-job");
const progress = document.getElementById("lr-job-progress");

async function poll() {
  let response;
  try {
    response = await fetch(box.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch {
    window.setTimeout(poll, 3000); // the network dropped: try again a little later
    return;
  }
  if (response.status === 202) {
    const job = await response.json();
    progress.value = job.progress;
    progress.textContent = `${job.progress}%`;
    box.querySelector("[data-job-percent]").textContent = job.progress;
    box.querySelector("[data-job-message]").textContent = job.message;
    window.setTimeout(poll, 1000);
    return;
  }
  window.location.assign(box.dataset.pageUrl);
}

if (box && progress) window.setTimeout(poll, 500);
