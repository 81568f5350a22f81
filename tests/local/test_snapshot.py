"""The snapshot's pickling rules and file handling, in process (the live moto state is never replaced)."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from moto.kms.models import KmsBackend
from moto.sqs.models import SQSBackend

from local.snapshot import FORMAT, Snapshotter, StateGuard, dumps, loads


def test_private_keys_of_every_kind_survive_pickling() -> None:
    message = b"signed before the restart"
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()

    rsa_copy, ec_copy, ed_copy = loads(dumps([rsa_key, ec_key, ed_key]))

    assert rsa_copy.private_numbers() == rsa_key.private_numbers()
    assert ec_copy.private_numbers() == ec_key.private_numbers()
    rsa_key.public_key().verify(rsa_copy.sign(message, padding.PKCS1v15(), hashes.SHA256()), message,
                                padding.PKCS1v15(), hashes.SHA256())
    ed_key.public_key().verify(ed_copy.sign(message), message)


def test_kms_key_material_survives_pickling() -> None:
    backend = KmsBackend("eu-west-1", "123456789012")
    key = backend.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "cmk", None)
    signer = backend.create_key(None, "SIGN_VERIFY", "ECC_NIST_P256", "signer", None)
    blob, _ = backend.encrypt(key.id, b"tenant data key", {"tenant_id": "T1"})
    _, signature, _ = backend.sign(signer.id, b"m", "ECDSA_SHA_256")

    restored = loads(dumps(backend))

    assert restored.decrypt(blob, {"tenant_id": "T1"})[0] == b"tenant data key"
    assert restored.verify(signer.id, b"m", signature, "ECDSA_SHA_256")[1]


def test_sqs_queues_with_their_locks_pickle() -> None:
    backend = SQSBackend("eu-west-1", "123456789012")
    queue = backend.create_queue("q")
    backend.send_message("q", "body")
    restored = loads(dumps(backend))
    assert restored.get_queue("q").approximate_number_of_messages == 1
    assert queue.name == restored.get_queue("q").name


def test_a_snapshot_of_another_moto_version_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.pickle"
    path.write_bytes(pickle.dumps({"format": FORMAT, "moto": "0.0.1", "services": dumps({})}))
    usable, message = Snapshotter(path, StateGuard()).restore()
    assert not usable
    assert "moto 0.0.1" in message
    assert not path.exists()
    assert len(list(tmp_path.glob("snapshot.pickle.unusable-*"))) == 1


def test_no_snapshot_is_not_an_error(tmp_path: Path) -> None:
    usable, message = Snapshotter(tmp_path / "snapshot.pickle", StateGuard()).restore()
    assert usable and "no snapshot yet" in message


def test_the_guard_lets_requests_finish_before_a_snapshot_and_holds_new_ones() -> None:
    guard = StateGuard()
    order: list[str] = []
    request_started = threading.Event()

    def request(name: str, hold: float) -> None:
        with guard.shared():
            request_started.set()
            time.sleep(hold)
            order.append(name)

    first = threading.Thread(target=request, args=("in-flight", 0.2))
    first.start()
    request_started.wait()
    snapshot_done = threading.Event()

    def snapshot() -> None:
        with guard.exclusive():
            order.append("snapshot")
        snapshot_done.set()

    taker = threading.Thread(target=snapshot)
    taker.start()
    time.sleep(0.05)  # the snapshot is now waiting for the in-flight request
    late = threading.Thread(target=request, args=("late", 0))
    late.start()
    for thread in (first, taker, late):
        thread.join(5)
    assert order == ["in-flight", "snapshot", "late"]


def test_a_snapshot_gives_up_on_a_long_request_instead_of_stalling_everyone() -> None:
    guard = StateGuard()
    release = threading.Event()
    holding = threading.Event()

    def long_poll() -> None:
        with guard.shared():
            holding.set()
            release.wait(5)

    poller = threading.Thread(target=long_poll)
    poller.start()
    holding.wait()
    try:
        with guard.exclusive(timeout=0.1):
            raise AssertionError("must not get the guard while a request runs")
    except TimeoutError:
        pass
    with guard.shared():  # other requests go on once the snapshot gave up
        pass
    release.set()
    poller.join(5)
