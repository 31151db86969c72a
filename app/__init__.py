"""The Flask application factory: ``create_app()`` is a short list of ``register_*`` steps."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, db, errors, ops, policy, searches, security, templating
from app.account import bp as account_bp
from app.admin import bp as admin_bp
from app.api import bp as api_bp
from app.auth import bp as auth_bp
from app.auth import sso
from app.chronology import bp as chronology_bp
from app.config import CONFIGS, INSTANCE_PATH, PROJECT_ROOT, config_class
from app.extensions import limiter
from app.factors import bp as factors_bp
from app.findings import bp as findings_bp
from app.good_practice import bp as good_practice_bp
from app.main import bp as main_bp
from app.participate import bp as participate_bp
from app.partnership import bp as partnership_bp
from app.public import bp as public_bp
from app.reports import bp as reports_bp
from app.reviews import bp as reviews_bp
from app.workshops import bp as workshops_bp


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings (tests inject theirs this way)."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    register_config(app, config)
    ops.init_app(app)  # first: request ids and logging for everything after
    db.init_app(app)
    register_security(app)
    register_blueprints(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    if app.config.get("BEHIND_PROXY"):
        # X-Forwarded-Prefix: served under a path (https://council.example/learning-review/),
        # every link and redirect keeps the prefix.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1
        )
    return app


def register_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Environment, then instance/config.py, then ``overrides``; unsafe settings refuse."""
    overrides = overrides or {}
    cls = CONFIGS[overrides["ENV_NAME"]] if "ENV_NAME" in overrides else config_class()
    app.config.from_object(cls)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    values = dict(app.config)
    cls.finalise(values)
    app.config.update(values)


def register_security(app: Flask) -> None:
    security.init_app(app)
    limiter.init_app(app)
    sso.init_app(app)
    app.before_request(policy.enforce)
    # After the policy: a page the user may open loses the search words from its URL.
    app.before_request(searches.text_out_of_url)


def register_blueprints(app: Flask) -> None:
    blueprints = (
        auth_bp,
        main_bp,
        reviews_bp,
        chronology_bp,
        factors_bp,
        findings_bp,
        reports_bp,
        public_bp,
        good_practice_bp,
        workshops_bp,
        participate_bp,
        partnership_bp,
        account_bp,
        admin_bp,
        api_bp,
        ops.bp,
        searches.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
