"""Families' files in S3-compatible object storage (django-storages), against a local S3 server (moto).

The same journeys as on the local disk: the file reaches the bucket already encrypted, as a private
object under a random name, and comes back only through the view that checks who asks. Runs on every
database of the suite; skipped, loudly, when the local S3 server cannot start.
"""

import socket
import uuid

import pytest
from django.core.files.base import ContentFile

from forms.family.services import draft_delete, private_storage
from forms.models import Dossier, DossierFile, DraftFile
from tests.conftest import otp_client

from .conftest import PDF, family_client, field, make_agent, make_form, pdf, step, step_url

ACCESS_KEY, SECRET_KEY, REGION = "portail-test", "portail-test-secret", "fr-par"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server (moto in server mode, on loopback) for the whole session."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        server.start()
    except Exception as error:  # any reason it cannot start is a reason to skip
        pytest.skip(f"SKIPPED LOUDLY: the local S3 server (moto) could not start: {error!r}")
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """The private storage on a fresh bucket of the local S3 server; returns a boto3 client and the bucket."""
    import boto3

    # The S3 server is on loopback: no proxy from the environment may catch its requests.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    bucket = f"prive-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **settings.S3_CONNECTION,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "bucket_name": bucket,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return client, bucket


def _keys(client, bucket) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _send(council, user):
    page = make_form(council, step("Un", field("short_text", "nom", "Nom"), field("file", "piece", "Pièce")))
    client = family_client(user)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin", "piece": pdf()})
    return page, client


def test_the_private_storage_is_the_bucket(s3):
    from storages.backends.s3 import S3Storage

    assert isinstance(private_storage(), S3Storage)


def test_an_upload_reaches_the_bucket_encrypted_private_and_under_a_random_name(s3, council_a, family):
    client, bucket = s3
    _page, _family = _send(council_a, family)
    stored = DraftFile.objects.get()
    assert _keys(client, bucket) == [stored.path]
    assert "attestation" not in stored.path  # the family's file name never reaches the bucket
    body = client.get_object(Bucket=bucket, Key=stored.path)["Body"].read()
    assert stored.encrypted and PDF not in body and body.startswith(b"gAAAAA")  # a Fernet token
    grants = client.get_object_acl(Bucket=bucket, Key=stored.path)["Grants"]
    assert grants and not [grant for grant in grants if grant["Grantee"].get("URI") == ALL_USERS]
    url = private_storage().url(stored.path)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url  # never a bare, guessable URL


def test_the_family_and_its_councils_agent_download_from_the_bucket_others_get_404(
    s3, council_a, council_b, family, other_family
):
    page, family_session = _send(council_a, family)
    family_session.post(f"{page.url}verifier/")
    stored = DossierFile.objects.get(dossier=Dossier.objects.get())
    response = family_session.get(f"/fichiers/{stored.uuid}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    agent = otp_client(make_agent(council_a, "agent.a"))
    response = agent.get(f"/fichiers/{stored.uuid}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert family_client(other_family).get(f"/fichiers/{stored.uuid}/").status_code == 404
    assert otp_client(make_agent(council_b, "agent.b")).get(f"/fichiers/{stored.uuid}/").status_code == 404


def test_deleting_a_draft_deletes_its_objects(s3, council_a, family):
    client, bucket = s3
    _send(council_a, family)
    draft = DraftFile.objects.get().draft
    assert len(_keys(client, bucket)) == 1
    draft_delete(draft=draft)
    assert _keys(client, bucket) == []


def test_storage_api_round_trip_in_the_bucket(s3):
    """What the portal asks of any private storage: save under a name, open, exists, delete."""
    storage = private_storage()
    name = storage.save("forms/essai/abc.pdf", ContentFile(b"chiffre"))
    assert storage.exists(name)
    with storage.open(name, "rb") as handle:
        assert handle.read() == b"chiffre"
    assert storage.save("forms/essai/abc.pdf", ContentFile(b"autre")) != name  # never overwritten
    storage.delete(name)
    assert not storage.exists(name)
