"""The room's word cloud: the words most notes used, sized by how many used them."""

from __future__ import annotations

from analysis.wordcloud import SIZE_STEPS, word_cloud


def test_words_are_counted_once_a_note_and_sized_by_use() -> None:
    cloud = word_cloud(
        [
            "Supervision was thin; supervision always thin.",
            "Night supervision had no cover.",
            "The referral sat with nobody: [identifying detail removed].",
        ]
    )
    by_word = {w.word: w for w in cloud}
    assert by_word["supervision"].count == 2  # twice in one note counts once
    assert by_word["supervision"].size == SIZE_STEPS
    assert by_word["referral"].size == 1
    assert "the" not in by_word and "was" not in by_word  # stop words
    assert "identifying" not in by_word and "removed" not in by_word  # a masked detail
    assert [w.word for w in cloud] == sorted(by_word)


def test_an_empty_room_has_no_cloud() -> None:
    assert word_cloud([]) == []
    assert word_cloud(["I", "we did"]) == []
