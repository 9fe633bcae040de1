"""The block library of content pages: each block renders accessible HTML, and bad input is refused with a
clear message."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail import blocks as wagtail_blocks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from home.blocks import ContentStreamBlock, HomeStreamBlock, ImageBlock, LinkBlock, VideoBlock
from home.blocks.media import embed_url

pytestmark = pytest.mark.django_db


def make_image(title="Cour de l'école"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), "#1d4f91").save(buffer, format="PNG")
    image = get_image_model()(title=title)
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name="cour.png")
    image.save()
    return image


def make_document(title="Règlement intérieur"):
    document = get_document_model()(title=title)
    document.file.save("reglement.pdf", ContentFile(b"%PDF-1.4 " + b"x" * 2048), save=False)
    document.save()
    return document


def render(block_type: str, raw_value, stream=ContentStreamBlock) -> str:
    block = stream().child_blocks[block_type]
    return block.render(block.to_python(raw_value))


def test_every_content_block_has_a_help_text_for_editors():
    for name, block in ContentStreamBlock().child_blocks.items():
        assert getattr(block.meta, "help_text", None) or getattr(block.field, "help_text", ""), name


def test_text_and_heading():
    assert "<p>Bonjour</p>" in render("text", "<p>Bonjour</p>")
    assert (
        render("heading", {"text": "Les étapes", "level": "h3"}).strip() == '<h3 class="block-heading">Les étapes</h3>'
    )


def test_callout_says_its_kind_in_words():
    html = render("callout", {"kind": "warning", "title": "Pièces à préparer", "text": "<p>Justificatif</p>"})
    assert "callout--warning" in html and "Attention" in html and "Pièces à préparer" in html


def test_accordion_is_a_real_disclosure_widget():
    html = render("accordion", {"heading": "FAQ", "items": [{"title": "Qui ?", "body": "<p>Chaque parent.</p>"}]})
    assert "<details" in html and "<summary" in html and "Qui ?" in html


def test_table_has_its_caption_and_header_cells():
    html = render(
        "table",
        {
            "caption": "Horaires",
            "table": {
                "first_row_is_table_header": True,
                "first_col_is_header": True,
                "data": [["", "Lundi"], ["Matin", "7 h 30"]],
            },
        },
    )
    assert "<caption>Horaires</caption>" in html
    assert '<th scope="col">Lundi</th>' in html and '<th scope="row">Matin</th>' in html and "<td>7 h 30</td>" in html


def test_quote_and_contact_card():
    assert "<blockquote>" in render("quote", {"quote": "Dix minutes.", "author": "Une maman", "source": ""})
    html = render(
        "contact",
        {
            "service": "Service enfance",
            "address": "1 place",
            "hours": "9 h - 12 h",
            "phone": "03 80 00 00 01",
            "email": "e@x.fr",
        },
    )
    assert 'href="tel:0380000001"' in html and 'href="mailto:e@x.fr"' in html and "Service enfance" in html


def test_key_dates_are_in_order_with_machine_readable_dates():
    html = render(
        "key_dates",
        {
            "heading": "Dates",
            "dates": [
                {"date": "2030-09-01", "end_date": None, "label": "Rentrée"},
                {"date": "2030-06-30", "end_date": None, "label": "Clôture"},
            ],
        },
    )
    assert html.index("Clôture") < html.index("Rentrée")
    assert '<time datetime="2030-06-30">' in html


def test_image_needs_an_alternative_text_unless_decorative():
    image = make_image()
    block = ImageBlock()
    with pytest.raises(wagtail_blocks.StructBlockValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt": "", "decorative": False, "caption": ""}))
    assert "texte alternatif" in str(error.value.block_errors["alt"])
    block.clean(block.to_python({"image": image.pk, "alt": "", "decorative": True, "caption": ""}))
    html = render("image", {"image": image.pk, "alt": "Des enfants jouent", "decorative": False, "caption": ""})
    assert 'alt="Des enfants jouent"' in html and "srcset=" in html and "image/webp" in html


def test_image_and_text():
    image = make_image()
    html = render(
        "image_text",
        {
            "image": image.pk,
            "alt": "",
            "decorative": True,
            "caption": "",
            "text": "<p>Texte</p>",
            "image_position": "right",
        },
    )
    assert 'alt=""' in html and "image-text--right" in html and "<p>Texte</p>" in html


def test_cards_link_to_a_page_or_a_document_with_its_format_and_size(council_a):
    document = make_document()
    html = render(
        "cards",
        {
            "heading": "Liens",
            "cards": [
                {"title": "Accueil", "text": "", "image": None, "page": council_a.pk, "document": None, "url": ""},
                {"title": "Règlement", "text": "", "image": None, "page": None, "document": document.pk, "url": ""},
            ],
        },
    )
    assert 'href="/"' in html and document.url in html and "PDF" in html


def test_a_card_needs_exactly_one_target():
    block = ContentStreamBlock().child_blocks["cards"].child_blocks["cards"].child_block
    with pytest.raises(wagtail_blocks.StructBlockValidationError):
        block.clean(
            block.to_python({"title": "Rien", "text": "", "image": None, "page": None, "document": None, "url": ""})
        )


def test_documents_list_shows_format_and_size():
    document = make_document()
    html = render("documents", {"heading": "À télécharger", "documents": [document.pk]})
    assert "Règlement intérieur" in html and "PDF" in html and "2.0" in html.replace(",", ".")


def test_call_to_action_and_link_rules(council_a):
    html = render("call_to_action", {"page": council_a.pk, "url": "", "label": "Inscrire mon enfant", "text": ""})
    assert 'class="button"' in html and "Inscrire mon enfant" in html
    with pytest.raises(wagtail_blocks.StructBlockValidationError):
        LinkBlock().clean(LinkBlock().to_python({"page": None, "url": "https://example.fr", "label": ""}))


def test_video_loads_only_after_consent():
    assert (
        embed_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert embed_url("https://vimeo.com/123456") == "https://player.vimeo.com/video/123456"
    assert embed_url("https://example.fr/video") is None
    html = render("video", {"url": "https://youtu.be/dQw4w9WgXcQ", "title": "La cantine", "transcript": ""})
    assert (
        "<iframe" not in html
        and "js-video-consent" in html
        and 'data-embed-url="https://www.youtube-nocookie.com' in html
    )
    assert "<script" not in html
    with pytest.raises(wagtail_blocks.StructBlockValidationError):
        VideoBlock().clean(VideoBlock().to_python({"url": "https://example.fr/v", "title": "x", "transcript": ""}))


def test_home_blocks_extend_the_content_library():
    assert set(ContentStreamBlock().child_blocks) < set(HomeStreamBlock().child_blocks)
    assert {"banner", "online_procedures", "latest_news", "next_events"} <= set(HomeStreamBlock().child_blocks)
