from flask import Blueprint, jsonify, request

from worker import jobs, queue

bp = Blueprint("jobs", __name__)


@bp.post("/v1/jobs")
def create_job():
    try:
        job = jobs.validate_job(request.get_json())
    except jobs.JobRejected as exc:
        return jsonify(error="invalid_job", field=str(exc)), 400
    return jsonify(id=queue.push(job)), 202
