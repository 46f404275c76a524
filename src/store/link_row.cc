#include "store/link_row.h"

#include <algorithm>

namespace ct {

std::vector<std::string> SortedUniqueTags(std::vector<std::string> tags) {
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

LinkRow NewLinkRow(const NewLink& link, int64_t now_us, int64_t version) {
  LinkRow row;
  row.account_id = link.account_id;
  row.kind = link.kind;
  row.domain = link.domain;
  row.slug = link.slug;
  row.destination = link.destination;
  row.title = link.title;
  row.tags = SortedUniqueTags(link.tags);
  row.group = link.group;
  row.options = link.options;
  row.imported_from = link.imported_from;
  row.imported_clicks = link.imported_clicks;
  row.created_at_us = row.updated_at_us = now_us;
  row.version = version;
  return row;
}

}  // namespace ct
