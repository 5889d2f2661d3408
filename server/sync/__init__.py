"""Pull: what a phone needs to work offline, as a delta since its last cursor."""


def init_app(app):
    from .blueprint import init_app as init_blueprints
    init_blueprints(app)
