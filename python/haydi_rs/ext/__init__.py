"""Extensions: ``automata``."""
