"""A room's settings beyond its listing (huaweicloudsdkmetastudio `CreateSmartChatRoomReq` and what
`ShowSmartChatRoomResponse` shows of them): video, background, layers, review, subtitles, voices and resources.

One model per SDK model, used alike by the create/update body and by the stored room (a room shows what it was
given). Ranges, lengths, patterns and enums are the SDK's documented constraints; documented defaults are model
defaults, so a room stores (and shows) them. JSON types are strict: `"100"` is not an integer, `1` is not a boolean.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from emulator.core.casing import SnakeModel
from emulator.core.params import INT32_MAX, JSON_INTEGER
from emulator.vendors.metastudio.wiretypes import JSON_NUMBER, Language, Rfc3339, TtsProvider

RGB = r"^#[0-9A-Fa-f]{6}$"
ChatVideoType = Literal["COMPUTER", "MOBILE", "HUB"]


Pixels1920 = Annotated[int, Field(ge=0, le=1920), JSON_INTEGER]
Canvas = Annotated[int, Field(ge=1, le=7680), JSON_INTEGER]  # a layer or image size relative to the canvas
Offset = Annotated[int, Field(ge=-1920, le=3840), JSON_INTEGER]
Id64 = Annotated[str, Field(min_length=0, max_length=64)]
Url2048 = Annotated[str, Field(min_length=1, max_length=2048)]
FontName = Annotated[str, Field(min_length=0, max_length=64)]
FontSize = Annotated[int, Field(ge=0, le=120), JSON_INTEGER]


class SubtitleConfig(SnakeModel):
    dx: Pixels1920 | None = None
    dy: Pixels1920 | None = None
    h: Pixels1920 | None = None
    w: Pixels1920 | None = None
    font_name: FontName | None = None
    font_size: FontSize | None = None
    font_color: Annotated[str, Field(max_length=16, pattern=RGB)] | None = None
    stroke_color: Annotated[str, Field(pattern=RGB)] | None = None
    stroke_thickness: Annotated[float, Field(ge=0, le=50), JSON_NUMBER] | None = None
    opacity: Annotated[float, Field(ge=0, le=1), JSON_NUMBER] = 1


class VideoConfig(SnakeModel):
    clip_mode: Literal["RESIZE", "CROP"] | None = None
    codec: Literal["H264", "VP8", "VP9", "QTRLE"] = "H264"
    bitrate: Annotated[int, Field(ge=40, le=30000), JSON_INTEGER]
    width: Annotated[int, Field(ge=0, le=3840), JSON_INTEGER]
    height: Annotated[int, Field(ge=0, le=3840), JSON_INTEGER]
    frame_rate: Literal["24", "25", "30"] | None = None
    is_subtitle_enable: StrictBool | None = None
    subtitle_config: SubtitleConfig | None = None
    dx: Offset | None = None
    dy: Offset | None = None
    is_enable_super_resolution: StrictBool | None = None
    is_end_at_first_frame: StrictBool | None = None
    output_external_url: Url2048 | None = None
    is_vocabulary_config_enable: StrictBool | None = None


class BackgroundImageConfig(SnakeModel):
    dx: Annotated[int, Field(ge=-5760, le=0), JSON_INTEGER]
    dy: Annotated[int, Field(ge=-5760, le=0), JSON_INTEGER]
    width: Canvas
    height: Canvas


class BackgroundConfigInfo(SnakeModel):
    background_type: Literal["IMAGE", "COLOR", "IMAGE_2D", "VIDEO", "AUDIO"]
    background_config: Url2048 | None = None
    background_color_config: Annotated[str, Field(max_length=16, pattern=RGB)] | None = None
    background_asset_id: Id64 | None = None
    background_image_config: BackgroundImageConfig | None = None


class LayerPositionConfig(SnakeModel):
    dx: Offset
    dy: Offset
    layer_index: Annotated[int, Field(ge=1, le=100), JSON_INTEGER]


class LayerSizeConfig(SnakeModel):
    width: Canvas | None = None
    height: Canvas | None = None


class LayerRotationConfig(SnakeModel):
    angle: Annotated[int, Field(ge=0, le=360), JSON_INTEGER] = 0


class ImageLayerConfig(SnakeModel):
    image_url: Url2048 | None = None


class VideoLayerConfig(SnakeModel):
    video_url: Url2048 | None = None
    video_cover_url: Url2048 | None = None
    loop_count: Annotated[int, Field(ge=-1, le=100), JSON_INTEGER] | None = None  # -1: loop until stopped
    video_sound: Annotated[int, Field(ge=0, le=100), JSON_INTEGER] = 0
    is_play_the_entire_video: StrictBool = False


class TextLayerConfig(SnakeModel):
    text_context: Annotated[str, Field(max_length=1024)] | None = None  # Base64 of the text
    font_name: FontName | None = None
    font_size: FontSize | None = None
    font_color: Annotated[str, Field(max_length=16)] | None = None


class LayerConfig(SnakeModel):
    layer_type: Literal["HUMAN", "IMAGE", "VIDEO", "TEXT"]
    asset_id: Id64 | None = None
    group_id: Id64 | None = None
    sequence_no: Annotated[int, Field(ge=0, le=INT32_MAX), JSON_INTEGER] | None = None
    position: LayerPositionConfig | None = None
    size: LayerSizeConfig | None = None
    rotation: LayerRotationConfig | None = None
    image_config: ImageLayerConfig | None = None
    video_config: VideoLayerConfig | None = None
    text_config: TextLayerConfig | None = None


class ReviewConfig(SnakeModel):
    no_need_review: StrictBool | None = None


class ChatSubtitleConfig(SnakeModel):
    dx: Pixels1920 | None = None
    dy: Pixels1920 | None = None
    width: Canvas | None = None
    height: Canvas | None = None


class ChatVoiceConfig(SnakeModel):
    voice_asset_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    speed: Annotated[int, Field(ge=50, le=200), JSON_INTEGER] = 100
    pitch: Annotated[int, Field(ge=50, le=200), JSON_INTEGER] = 100
    volume: Annotated[int, Field(ge=90, le=240), JSON_INTEGER] = 140
    provider: TtsProvider | None = None
    language: Language = "CN"


class ChatResourceConfig(SnakeModel):
    resource_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    count_resource: Annotated[int, Field(ge=0, le=10000), JSON_INTEGER] | None = None


class ChatResourceConfigInfo(ChatResourceConfig):
    """A room's resource as shown: what was asked for, and (for rooms from fixtures) where it comes from."""

    resource_source: Literal["PURCHASED", "SP_ALLOCATED", "ADMIN_ALLOCATED"] | None = None
    charge_mode: Literal["PERIODIC", "ONE_TIME", "ON_DEMAND"] | None = None
    resource_nums: Annotated[int, Field(ge=0, le=10_000_000), JSON_INTEGER] | None = None
    resource_available_nums: Annotated[int, Field(ge=0, le=10_000_000), JSON_INTEGER] | None = None
    status: Literal["ACTIVE", "FREEZE", "DELETED"] | None = None
    expire_time: Rfc3339 | None = None


class RoomDetails(SnakeModel):
    """What ShowSmartChatRoom shows beyond the listing's fields (a fixture entry's hidden `details`)."""

    video_config: VideoConfig | None = None
    background_config: BackgroundConfigInfo | None = None
    layer_config: list[LayerConfig] | None = None
    review_config: ReviewConfig | None = None
    chat_subtitle_config: ChatSubtitleConfig | None = None
    chat_video_type: ChatVideoType | None = None
    enable_semantic_action: StrictBool | None = None
    is_pool_mode: StrictBool | None = None
    chat_resource_config: list[ChatResourceConfigInfo] | None = None
