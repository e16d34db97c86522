"""An example AWS Lambda function: validates its event with pydantic and prepares an HTTP request with
requests (without sending it, so that it runs anywhere)."""

import pydantic
import requests
from pydantic import BaseModel, Field


class Greeting(BaseModel):
    name: str = "world"
    times: int = Field(default=1, ge=1, le=5)


def handler(event, context):
    greeting = Greeting.model_validate(event or {})
    request = requests.Request("GET", "https://example.invalid/greet", params={"name": greeting.name}).prepare()
    return {
        "message": " ".join([f"Hello, {greeting.name}!"] * greeting.times),
        "would_fetch": request.url,
        "function": context.function_name,
        "versions": {"pydantic": pydantic.VERSION, "requests": requests.__version__},
    }
