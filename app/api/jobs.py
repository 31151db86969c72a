"""API for background jobs: a job's status, progress and result (the policy has checked that
the caller started it, or is a member of its review allowed to follow it)."""

from __future__ import annotations

from flask import g, jsonify
from flask.typing import ResponseReturnValue

from app import jobs
from app.api import bp
from models import Job


@bp.route("/jobs/<int:job_id>")
def job(job_id: int) -> ResponseReturnValue:
    """A background job.
    ---
    get:
      summary: A background job's status, progress and result
      description: Work that takes more than a moment (generating a report) runs as a
        background job. The request that starts it answers 202 with a Location header naming
        this URL. It answers 202 while the job is queued or running (status, progress 0-100,
        message), then 200 once it has ended, with its result (status finished) or its error
        (status failed). For a report, version names the report version being generated.
      parameters:
        - {name: job_id, in: path, required: true, schema: {type: integer}}
      responses:
        200: {description: 'The job has ended: status finished with result, or failed with error'}
        202: {description: 'The job is queued or running: status, progress and message'}
        404: NotFound
    """
    item: Job = g.job
    response = jsonify(jobs.job_resource(item))
    if not item.is_done:
        response.status_code = 202
        response.headers["Retry-After"] = "1"
    return response
