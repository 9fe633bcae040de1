"""RSS and Atom feeds of a council's news (Django's syndication framework)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed


class NewsRssFeed(Feed):
    def get_object(self, request, index):
        self.request = request
        return index

    def title(self, index):
        return index.get_parent().title + " – " + index.title

    def link(self, index):
        return index.get_url(self.request)

    def description(self, index):
        return index.search_description or index.title

    def items(self, index):
        return index.news()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(8)))


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
