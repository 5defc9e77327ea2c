"""A cell's printed text is stored the same way whatever the kernel's flushes (runner.clean_metadata)."""

from __future__ import annotations

import nbformat

from helpers import runner


def _stream(name, text):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_consecutive_outputs_of_one_stream_are_joined_and_others_kept_apart():
    outputs = [
        _stream("stdout", "a\n"),
        _stream("stdout", "b\n"),
        _stream("stderr", "warning\n"),
        _stream("stdout", "c\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
        _stream("stdout", "d\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("run()")])
    nb.cells[0].outputs = outputs
    runner.clean_metadata(nb)
    joined = nb.cells[0].outputs
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in joined] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "c\n"),
        ("display_data", None, None),
        ("stream", "stdout", "d\n"),
    ]


def test_a_notebook_cut_into_two_stream_messages_is_stored_as_one_run_stores_it():
    one = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1); print(2)")])
    two = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1); print(2)")])
    one.cells[0].outputs = [_stream("stdout", "1\n2\n")]
    two.cells[0].outputs = [_stream("stdout", "1\n"), _stream("stdout", "2\n")]
    runner.clean_metadata(one)
    runner.clean_metadata(two)
    two.cells[0]["id"] = one.cells[0]["id"]  # new cells get random ids
    assert nbformat.writes(one) == nbformat.writes(two)
