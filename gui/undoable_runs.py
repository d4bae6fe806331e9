"""How training, stepping and edits become undo steps, and what Undo gives back: a mixin
of ``LearningController``.

A run of training or steps is one "Train" command, pushed with its first change and kept
up to date while it goes on; it holds the trainer's whole state before and after, so
undoing or redoing it gives back the trainer too (history, snapshots). A run closes when
it stops, when another command goes on top of it and when the file is saved, so the next
run's Undo lands exactly where that one ended. An edit that drops the trainer keeps it,
at rest, for Undo to give back.
"""

from __future__ import annotations

from .commands import TrainingProgress


class UndoableRuns:
    """The undo side of ``LearningController`` (which supplies the trainer, the run's
    command and the rest of the state)."""

    def _init_undo(self, doc) -> None:
        # stack index -> (trainer, its saved state, viewing, sample, the model's parameters):
        # the trainer as it stood when the edit pushed at that index dropped it
        self._kept: dict[int, tuple] = {}
        self._pending: tuple | None = None  # (index, parameters) of an edit being pushed
        self._index = doc.undo_stack.index()
        self._dropped = False  # an edit (or its undo) dropped the trainer since the last move

    def _forget_kept(self) -> None:
        """Another network: no Undo comes back to the trainers kept for this one."""
        self._kept.clear()
        self._pending = None

    def _keep_dropped_trainer(self) -> None:
        """An edit is dropping the trainer: if it was announced (``_edit_starting``), keep
        the trainer as it stands for Undo to give back at that stack index."""
        if self._pending is not None and self.trainer is not None:
            index, parameters = self._pending
            state = self.trainer.saved_state()
            self._kept[index] = (self.trainer, state, self.viewing, self.sample, parameters)
        self._pending = None
        self._dropped = True

    def _show(self, weights: dict, biases: dict) -> None:
        """Put weights in the model for the window to show. The run's undoable command
        is pushed with the first change and follows every later one."""
        stack = self.doc.undo_stack
        cmd = self._run_command
        top = stack.command(stack.index() - 1) if stack.index() else None
        if cmd is not None and cmd is top and not stack.isClean():
            cmd.show(weights, biases)
            return
        if cmd is not None and cmd is not top:  # (_stack_moved closes such runs first)
            cmd.show(weights, biases)
            self._close_run()
            return
        if (weights, biases) == self.doc.network.parameters():
            return
        self._run_command = TrainingProgress(self.doc, weights, biases, self.trainer)
        self._run_command.hooks = self
        self._run_command.before = self._run_before
        self._writing = True
        try:
            stack.push(self._run_command)
        finally:
            self._writing = False

    def _write_back(self) -> None:
        if self.trainer is not None:
            self._show(*self.trainer.parameters())

    def _stack_moved(self, index: int) -> None:
        """A command went on top of the open run (a neuron moved mid-run): the run's
        command takes what the trainer has now and is done, so that training on makes a
        command of its own above, whose Undo goes back to exactly this state. An edit
        undone gives back the trainer it dropped."""
        cmd = self._run_command
        on_top = index >= 2 and self.doc.undo_stack.command(index - 2) is cmd
        if cmd is not None and on_top and not self._writing:
            cmd.show(*self.trainer.parameters())
            self._close_run()
        self._pending = None
        previous, self._index = self._index, index
        if index < previous and self._dropped:  # an edit undone
            self._bring_back(index)
        self._dropped = False

    def _edit_starting(self, cmd) -> None:
        """A command is about to be pushed at the stack's index: if it drops the trainer,
        remember the trainer as it stands, for Undo to give back. Only a trainer at rest
        whose weights the model shows (not playing: the model lags behind it then)."""
        index = self.doc.undo_stack.index()
        for k in [k for k in self._kept if k >= index]:  # a redo branch, or this index's
            del self._kept[k]
        self._pending = None
        self._dropped = False
        if isinstance(cmd, TrainingProgress) or self.trainer is None or self.playing:
            return
        parameters = self.doc.network.parameters()
        if self.shown_trainer().parameters() != parameters:
            return
        if self._run_command is not None:  # a run of steps ends here, its Redo at this state
            self._close_run()
        self._pending = (index, parameters)

    def _bring_back(self, index: int) -> None:
        """Undo came back to a stack index where an edit dropped the trainer: the network
        is again the one that trainer trained, so it comes back as it stood (replacing
        the fresh one a panel may have asked for since)."""
        kept = self._kept.get(index)
        if kept is None:
            return
        trainer, state, viewing, sample, parameters = kept
        if trainer.network is not self.doc.network or parameters != self.doc.network.parameters():
            return  # (weights shown by time travel after the Undo, then redone)
        trainer.load_state(state)
        self.trainer, self.viewing, self.sample = trainer, viewing, sample
        self.session = None
        self._run_command = None
        self.state_changed.emit()
        self.progress.emit()

    def _record_run(self) -> None:
        """The model is about to be saved mid-run: what the trainer has now becomes the
        run's command, and training goes on in a new one from there."""
        if self._run_command is not None:
            self._write_back()
            if self._run_command is not None:  # (unless the write-back closed it)
                self._close_run()

    def _close_run(self) -> None:
        """Finish the open run; the next one starts where it ended."""
        cmd = self._run_command
        self._finish_run("Step through training" if self.session is not None else "Train")
        if cmd is not None and cmd.after is not None:
            self._run_before = cmd.after  # only ever read (load_state copies from it)
        elif self.trainer is not None:
            self._run_before = self.trainer.saved_state()

    def _start_run(self) -> None:
        """Training or stepping is about to change the trainer: remember where it was."""
        if self._run_command is None and self.trainer is not None:
            self._run_before = self.trainer.saved_state()

    def _finish_run(self, text: str) -> None:
        """The run's command gets its name and the trainer's state at its end; the next
        change starts another."""
        cmd = self._run_command
        if cmd is not None:
            cmd.setText(text)
            if cmd.trainer is self.trainer and self.trainer is not None:
                cmd.after = self.trainer.saved_state()
            self._run_command = None
            self.state_changed.emit()  # (the Undo action's text)

    # undo and redo of a run (TrainingProgress calls these around its change)
    def keeping(self, cmd) -> bool:
        """Will undoing or redoing ``cmd`` keep the trainer (and its history)? Only when
        it is the trainer the run trained, with its states known, and nothing in between."""
        ok = (
            cmd.trainer is not None
            and cmd.trainer is self.trainer
            and cmd.before is not None
            and cmd.after is not None
        )
        if ok:
            if self.playing:  # stop without writing back: the undo sets the weights
                self.playing = False
                self.timer.stop()
                self.running_changed.emit(False)
            self._writing = True  # the weights change: the trainer stays
        return ok

    def kept(self, cmd, which: str) -> None:
        self._writing = False
        self.trainer.load_state(cmd.before if which == "before" else cmd.after)
        self.session = None
        self.viewing = None
        self.state_changed.emit()
        self.progress.emit()

    @property
    def run_open(self) -> bool:
        """Training or stepping has shown weights that no command records yet."""
        return self._run_command is not None

    def settle(self) -> None:
        """What training or stepping has shown since the last command becomes one (before
        Undo, so that Undo takes back exactly that and leaves nothing half done)."""
        self.pause()
        self._close_run()
