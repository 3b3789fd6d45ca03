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
    ladder = text[text.index("the first discussion is due") :]
    assert ladder.index("Time for your reflective discussion") < ladder.index("Hi @alex, the reflective")
    assert ladder.index("Hi @sam, the reflective") < ladder.index("Hi @mere, the reflective discussion")
    assert "would a short check-in" in ladder.lower()
    snoozed = ladder[ladder.index("@alex snoozed the reflective discussion") :]
    assert "(nothing new in Slack)" in snoozed  # the snooze holds
    assert (
        "the snooze is over" in snoozed and "Time for your reflective discussion" in snoozed.split("over")[1]
    )
    summary = text[text.index("Wrap up opened the summary form") :]
    assert "date of birth" in summary.split("takes the date of birth out")[0]  # the check fired
    assert "saved the summary as *note 1*" in summary and "14/03/2019" not in summary.split("saves")[-1]
    exported = next(tmp_path.glob("CASE-2026-014-notes-*.md"))
    assert str(exported) in lines[-1]
    assert "Interpreter booked, time confirmed with mum" in exported.read_text()
    assert "14/03/2019" not in exported.read_text()
    assert str(tmp_path / "demo.db") in lines[-1]
    assert (tmp_path / "demo.db").exists()
