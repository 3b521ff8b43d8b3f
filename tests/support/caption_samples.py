"""Caption test samples shared by the caption format tests."""

SRT = b"""1
00:00:01,000 --> 00:00:02,500
Hello <b>bold</b> & <i>it<u>al</u></i>

2
01:02:03,040 --> 01:02:04,000
<font color="#ff0000">Red</font> text
second line
"""

B, IT, IU = frozenset("b"), frozenset("i"), frozenset("iu")
