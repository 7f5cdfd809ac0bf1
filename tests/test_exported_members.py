from __future__ import annotations

import listen


def test_all_exports_exist_and_are_complete() -> None:
    public = {name for name in dir(listen) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(listen, name)).__name__ == "module"}
    assert set(listen.__all__) - {"__version__"} == public - modules
    for name in listen.__all__:
        assert hasattr(listen, name)
