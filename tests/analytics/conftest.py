from tests.skills.knowledge.conftest import demo_index, knowledge_settings  # noqa: F401 - shared fixtures
