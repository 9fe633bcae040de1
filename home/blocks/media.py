"""Media blocks: image (alternative text required unless decorative), image beside text, video behind a
consent click."""

import re
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from .text import RICH_TEXT_FEATURES


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        required=False,
        help_text=_("What the image tells someone who cannot see it. Required unless the image is decorative."),
    )
    decorative = blocks.BooleanBlock(
        label=_("decorative image"),
        required=False,
        help_text=_("Tick only if the image adds nothing to the text: screen readers will skip it."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=250, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "home/blocks/image.html"
        help_text = _("An image, served at the size of the screen in modern formats.")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not (value.get("alt") or "").strip():
            raise StructBlockValidationError(
                block_errors={
                    "alt": ValidationError(_("Give the alternative text, or tick “decorative image”.")),
                }
            )
        return value


class ImageTextBlock(ImageBlock):
    text = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)
    image_position = blocks.ChoiceBlock(
        label=_("image position"), choices=[("left", _("Left")), ("right", _("Right"))], default="left"
    )

    class Meta:
        icon = "doc-full"
        label = _("Image and text")
        template = "home/blocks/image_text.html"
        help_text = _("An image beside a text; on a phone the image comes above the text.")


YOUTUBE_RE = re.compile(r"^(?:www\.|m\.)?(?:youtube\.com|youtu\.be)$")
VIMEO_RE = re.compile(r"^(?:www\.)?vimeo\.com$")


def embed_url(url: str) -> str | None:
    """The player address of a YouTube or Vimeo video (YouTube's without cookies), or None."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    if YOUTUBE_RE.match(host):
        if host.endswith("youtu.be"):
            video_id = parsed.path.strip("/")
        else:
            video_id = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p).get("v", "")
        if re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if VIMEO_RE.match(host):
        video_id = parsed.path.strip("/").split("/")[0]
        if video_id.isdigit():
            return f"https://player.vimeo.com/video/{video_id}"
    return None


class VideoBlock(blocks.StructBlock):
    url = blocks.URLBlock(label=_("video address"), help_text=_("A YouTube or Vimeo address."))
    title = blocks.CharBlock(label=_("title"), max_length=200, help_text=_("Says what the video is about."))
    transcript = blocks.RichTextBlock(
        label=_("transcript"),
        required=False,
        features=RICH_TEXT_FEATURES,
        help_text=_("The text of what is said and shown, for people who cannot watch or hear it."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "home/blocks/video.html"
        help_text = _(
            "The video loads only after the visitor agrees, since its host may set cookies; a link opens it "
            "on the host's site instead."
        )

    def clean(self, value):
        value = super().clean(value)
        if embed_url(value["url"]) is None:
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Give the address of a YouTube or Vimeo video."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["embed_url"] = embed_url(value["url"])
        context["host"] = "Vimeo" if "vimeo" in (urlparse(value["url"]).hostname or "") else "YouTube"
        return context
