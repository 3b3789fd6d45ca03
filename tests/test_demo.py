from bot.sandbox.demo import run_demo


def test_demo_plays_the_journey_and_says_where_the_database_is(tmp_path):
    lines: list[str] = []
    assert run_demo(db_path=str(tmp_path / "demo.db"), out=lines.append) == 0
    text = "\n".join(lines)
    assert "Only managers can open" in text
    assert "[modal open for @mere]" in text
    assert "looks like a person's name" in text
    assert "== Case CASE-2026-014 ==" in text
    assert "[#cases-north › thread] casebot:" in text
    assert "Agreement v1: agreed by everyone" in text
    assert "(only visible to @sam)" in text
    assert str(tmp_path / "demo.db") in lines[-1]
    assert (tmp_path / "demo.db").exists()
