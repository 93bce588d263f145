"""The torch engine's worker: `archc train --engine torch` runs this, alone or under torchrun.

    python worker.py JOB_FOLDER
    python -m torch.distributed.run --nproc-per-node N worker.py JOB_FOLDER

JOB_FOLDER, written by archc's Node side (engines/torch/job.ts), holds job.json (the training
settings), the model as a PyTorch module file, its starting weights by archc's names, and the
decoded images. The worker trains and reports on stdout as JSON lines starting with "@archc ";
only rank 0 reports, except errors, which every rank reports with its rank. Each checkpoint is
written to JOB_FOLDER/checkpoints/epoch-N/ before it is announced; archc turns it into the run
folder's files. Under torchrun each process runs DistributedDataParallel on its share of each
batch: gloo on the CPU, NCCL on CUDA.
"""

import importlib.util
import json
import math
import os
import signal
import sys
import time
import traceback

import torch
import torch.distributed as dist

from data import ImageSet
from optim import EarlyStopping, Schedule, make_optimizer, optimizer_slots, restore_slots, set_lr
from task import make_task, mean_iou, outputs_of
from weights import load_weights, save_checkpoint

RANK = int(os.environ.get("RANK", "0"))
WORLD = int(os.environ.get("WORLD_SIZE", "1"))
LOCAL_RANK = int(os.environ.get("LOCAL_RANK", "0"))


def emit(event, everyone=False, **fields):
    """One event line for archc's Node side (rank 0 only unless `everyone`)."""
    if RANK == 0 or everyone:
        line = json.dumps({"event": event, **fields}, allow_nan=False, default=str)
        sys.stdout.write(f"@archc {line}\n")
        sys.stdout.flush()


def _interrupt(*_):
    raise KeyboardInterrupt()


class Stopped(Exception):
    """archc's Node side went away or asked to stop: end quietly."""


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: worker.py JOB_FOLDER (written by archc train --engine torch)\n")
        return 2
    folder = argv[1]
    # SIGTERM (torchrun stopping the others after a failure) ends the run like Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with open(os.path.join(folder, "job.json"), encoding="utf-8") as f:
            job = json.load(f)
        return Trainer(folder, job).run()
    except (KeyboardInterrupt, Stopped):
        return 130
    except Exception as e:  # noqa: BLE001 - every failure becomes one message naming the rank
        detail = traceback.format_exc(limit=-3)
        emit("error", everyone=True, rank=RANK, message=f"{type(e).__name__}: {e}", detail=detail)
        return 1
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


class Trainer:
    def __init__(self, folder, job):
        self.folder = folder
        self.job = job
        self.config = job["train"]
        self.device = self._start_device()
        self.model = self._build_model()
        self.data = ImageSet(folder, job["data"], self.device)
        self.task = make_task(job)
        self.driver = int(os.environ.get("ARCHC_DRIVER_PID", "0"))
        self.last_alive_check = time.monotonic()
        # Optimizer steps taken, also before a resume (Adam's bias correction and checkpoints count them).
        self.steps_taken = job.get("optimizerStep", 0)

    def _start_device(self):
        wanted = self.job.get("device", "auto")
        cuda = torch.cuda.is_available() and wanted != "cpu"
        if wanted == "cuda" and not cuda:
            raise RuntimeError("--device cuda: this torch sees no CUDA device")
        if cuda:
            torch.cuda.set_device(LOCAL_RANK)
            device = torch.device("cuda", LOCAL_RANK)
        else:
            device = torch.device("cpu")
            threads = self.job.get("threads")
            if threads:
                torch.set_num_threads(threads)
        if WORLD > 1:
            dist.init_process_group("nccl" if cuda else "gloo")
        return device

    def _build_model(self):
        spec = self.job["model"]
        path = os.path.join(self.folder, spec["file"])
        loader = importlib.util.spec_from_file_location("archc_model", path)
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        model = getattr(module, spec["class"])(**spec.get("kwargs", {}))
        load_weights(model, os.path.join(self.folder, self.job["weights"]))
        model.to(self.device)
        if self.device.type == "cuda":
            model.to(memory_format=torch.channels_last)
        frozen = set(self.job.get("frozen", []))
        self.names = {}
        trainable = []
        for name, p in model.named_parameters():
            p.requires_grad_(name not in frozen)
            self.names[p] = name
            if name not in frozen:
                trainable.append((name, p))
        self.trainable = trainable
        # Batch norm whose weights are frozen runs in inference mode, as in Keras and archc's tfjs engine.
        self.frozen_norms = [
            m for name, m in model.named_modules()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and f"{name}.weight" in frozen
        ]
        self.module = model
        if WORLD > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
        return model

    def run(self):
        c = self.config
        resume = self.job.get("resume") or {}
        optimizer = make_optimizer(c["optimizer"], c["lr"], self.trainable)
        if self.job.get("optimizerState"):
            slots = load_weights(None, os.path.join(self.folder, self.job["optimizerState"]))
            restore_slots(optimizer, self.trainable, slots, self.job.get("optimizerStep", 0))
        schedule = Schedule(c["schedule"], c["lr"], resume.get("schedule"))
        early = EarlyStopping(c["patience"], resume.get("early")) if c.get("patience") else None
        start = resume.get("epoch", 0)
        history = list(resume.get("history", []))
        emit("start", world=WORLD, device=str(self.device), torch=torch.__version__,
             backend=dist.get_backend() if WORLD > 1 else None, threads=torch.get_num_threads(), pid=os.getpid())
        last_checkpoint = start or None
        for epoch in range(start, c["epochs"]):
            lr = schedule.lr_for(epoch)
            set_lr(optimizer, lr)
            stats, nan_step = self._train_epoch(epoch, optimizer)
            if nan_step is not None:
                emit("nan", epoch=epoch + 1, step=nan_step, lr=lr, lastCheckpoint=last_checkpoint)
                return 0
            val = self._evaluate() if len(self.data.val) else None
            record = {"epoch": epoch + 1, "lr": lr, **stats}
            if val:
                record.update(valLoss=val[0], valAccuracy=val[1])
                if val[2] is not None:
                    record.update(valMiou=val[2])
            if val and not math.isfinite(val[0]):
                emit("nan", epoch=epoch + 1, step=stats["steps"], lr=lr, lastCheckpoint=last_checkpoint)
                return 0
            del record["steps"]
            history.append(record)
            emit("epoch", record=record)
            monitored = val[0] if val else stats["loss"]
            schedule.observe(monitored)
            verdict = early.observe(monitored, epoch + 1) if early else None
            if not early or verdict == "improved":
                state = {"epoch": epoch + 1, "history": history, "schedule": schedule.state()}
                if early:
                    state["early"] = early.state()
                self._checkpoint(epoch + 1, optimizer, state)
                last_checkpoint = epoch + 1
            if verdict == "stop":
                emit("done", status="early-stopped", bestEpoch=early.best_epoch)
                return 0
        emit("done", status="completed", bestEpoch=early.best_epoch if early else len(history))
        return 0

    def _train_epoch(self, epoch, optimizer):
        """One pass over this rank's share of the shuffled training images."""
        c = self.config
        self.model.train()
        for m in self.frozen_norms:
            m.eval()
        # Each epoch's shuffle and augmentation come from its own seed: a resumed run repeats them.
        generator = torch.Generator().manual_seed(c["seed"] * 1_000_003 + epoch)
        order = self.data.train[torch.randperm(len(self.data.train), generator=generator)]
        batch = c["batchSize"]
        steps = math.ceil(len(order) / batch)
        report_every = 1 if self.device.type == "cpu" else max(1, steps // 50)
        # Loss sum, hits, counted (images, or labelled pixels), images.
        totals = torch.zeros(4, dtype=torch.float64, device=self.device)
        reported = [0.0, 0.0, 0.0, 0.0]
        started = time.perf_counter()
        for step in range(steps):
            indices = _share(order[step * batch:(step + 1) * batch], order)
            x, labels = self.data.batch(indices, c["normalize"], c["augment"], generator)
            outputs = outputs_of(self.model(x))
            loss = self.task.loss(outputs, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            self.steps_taken += 1
            with torch.no_grad():
                hits, counted = self.task.hits(outputs, labels)
                n = len(labels)
                totals += torch.stack([loss.detach().double() * n, totals.new_tensor(hits), totals.new_tensor(counted), totals.new_tensor(n)])
            if (step + 1) % report_every == 0 or step + 1 == steps:
                reported = self._all_sum(totals)
                if not math.isfinite(reported[0]):
                    return None, step + 1
                seconds = time.perf_counter() - started
                emit("step", epoch=epoch + 1, step=step + 1, steps=steps, **_figures(reported, seconds))
                self._check_driver()
        figures = _figures(reported, time.perf_counter() - started)
        return {**figures, "steps": steps}, None

    def _evaluate(self):
        """Mean loss, accuracy and (segmentation) mIoU over the validation images, in inference mode."""
        c = self.config
        self.model.eval()
        totals = torch.zeros(4, dtype=torch.float64, device=self.device)
        # Every rank sums a confusion matrix, even one with no validation images (all_reduce waits for all).
        confusion = self.task.empty_confusion(self.device)
        mine = self.data.val[RANK::WORLD]
        with torch.inference_mode():
            for start in range(0, len(mine), c["batchSize"]):
                x, labels = self.data.batch(mine[start:start + c["batchSize"]], c["normalize"])
                outputs = outputs_of(self.module(x))
                loss = self.task.loss(outputs, labels)
                hits, counted = self.task.hits(outputs, labels)
                n = len(labels)
                totals += torch.stack([loss.double() * n, totals.new_tensor(hits), totals.new_tensor(counted), totals.new_tensor(n)])
                if confusion is not None:
                    confusion += self.task.confusion(outputs, labels).double()
        loss_sum, hits, counted, seen = self._all_sum(totals)
        miou = None
        if confusion is not None:
            if WORLD > 1:
                dist.all_reduce(confusion)
            miou = mean_iou(confusion)
        return loss_sum / seen, hits / counted if counted else 0, miou

    def _all_sum(self, totals):
        if WORLD > 1:
            totals = totals.clone()
            dist.all_reduce(totals)
        return totals.tolist()

    def _checkpoint(self, epoch, optimizer, state):
        if RANK == 0:
            slots = optimizer_slots(optimizer, self.names)
            step = self.steps_taken
            where = os.path.join(self.folder, "checkpoints", f"epoch-{epoch}")
            save_checkpoint(where, self.module, self.job["weightNames"], slots, step, self.job["modelName"])
            emit("checkpoint", epoch=epoch, dir=where, state=state, optimizerStep=step)

    def _check_driver(self):
        """Stop when archc's Node side is gone (killed), at most once a second."""
        now = time.monotonic()
        if not self.driver or now - self.last_alive_check < 1:
            return
        self.last_alive_check = now
        try:
            os.kill(self.driver, 0)
        except ProcessLookupError:
            raise Stopped() from None
        except PermissionError:
            pass


def _share(batch, order):
    """This rank's part of a global batch; a batch smaller than the world borrows from the start."""
    if len(batch) < WORLD:
        batch = torch.cat([batch, order[:WORLD - len(batch)]])
    return batch[RANK::WORLD]


def _figures(totals, seconds):
    loss_sum, hits, counted, seen = totals
    return {
        "loss": loss_sum / seen if seen else math.nan,
        "accuracy": hits / counted if counted else 0,
        "seconds": seconds,
        "imagesPerSecond": seen / max(seconds, 1e-9),
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv))
