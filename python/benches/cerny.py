"""The Python haydi's examples/cerny/cerny.py written against haydi_rs (the import line
changed, plus a state count and a context from the command line):
python cerny.py N [serial|threads:K|spawn:K]."""

import sys

import haydi_rs as hd
from haydi_rs.algorithms import search


def main():
    n_states = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    where = sys.argv[2] if len(sys.argv) > 2 else "serial"
    n_symbols = 2

    states = hd.USet(n_states, "q")
    alphabet = hd.USet(n_symbols, "a")
    delta = hd.Mappings(states * alphabet, states)

    init_state = frozenset(states)
    max_steps = (n_states ** 3 - n_states) // 6

    def check_automaton(delta):
        def step(state, depth):
            for a in alphabet:
                yield frozenset(delta[(s, a)] for s in state)

        delta = delta.to_dict()
        return search.bfs(
            init_state, step,
            lambda state, depth: depth if len(state) == 1 else None,
            max_depth=max_steps, not_found_value=0)

    ctx = None if where == "serial" else hd.context_by_name(where)
    pipeline = delta.cnfs().map(check_automaton).max(size=1)
    result = pipeline.run(ctx)
    if ctx is None or ctx.is_driver:
        print("The maximal length of a minimal reset word for an "
              "automaton with {} states and {} symbols is {}.".
              format(n_states, n_symbols, result[0]))


if __name__ == "__main__":
    main()
